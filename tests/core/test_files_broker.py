"""The embedded broker never hands out a file half written (``core/files_broker.py``).

Each test shows the moment kombu's own filesystem transport gets wrong: a message a worker can
take while it is still being written, an exchange's table read between its creation and its
first write."""
import os
from queue import Empty

import pytest
from kombu import Connection

from onestop.core import files_broker


@pytest.fixture
def channel(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    with Connection("filesystem://", transport_options={
            "data_folder_in": str(queue), "data_folder_out": str(queue),
            "control_folder": str(tmp_path / "control"), "store_processed": False}) as conn:
        assert isinstance(conn.default_channel, files_broker.Channel)  # the URL names it
        yield conn.default_channel


def test_a_message_cannot_be_taken_before_it_is_whole(channel, monkeypatch):
    seen_while_writing = []
    rename = os.replace

    def replace(source, target):
        try:  # a worker looking now finds nothing to take
            seen_while_writing.append(channel._get("tasks"))
        except Empty:
            seen_while_writing.append(None)
        rename(source, target)

    monkeypatch.setattr(os, "replace", replace)
    channel._put("tasks", {"body": "x" * 100_000})
    assert seen_while_writing == [None]
    assert channel._get("tasks") == {"body": "x" * 100_000}


def test_an_exchange_table_just_created_reads_as_empty_and_takes_a_binding(channel):
    channel.control_folder.mkdir(exist_ok=True)
    (channel.control_folder / "broadcast.exchange").touch()  # created, not yet written
    assert channel.get_table("broadcast") == []
    channel._queue_bind("broadcast", "", "", "worker-1")
    channel._queue_bind("broadcast", "", "", "worker-2")
    assert sorted(q.queue for q in channel.get_table("broadcast")) == ["worker-1", "worker-2"]
