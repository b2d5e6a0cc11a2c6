"""The embedded broker: kombu's filesystem transport, with no file ever read half written.

kombu writes a message straight into the queue folder under its final name, then fills it: a
worker that lists the folder in between takes the file empty, cannot decode it and stops with an
unrecoverable error. Here a message is written under a name no queue reads (``….msg.part``) and
renamed into place once complete; a rename within one folder is atomic, so a worker sees a
message whole or not at all.

An exchange's table of bound queues has the same flaw: its file is created empty and locked only
after, so a process reading it at that moment decodes nothing. Here it is opened without being
emptied, locked, then read; an empty file is an empty table.

Importing this module (``config.py`` does) makes ``filesystem://`` name this transport in the
process, by kombu's table of transport aliases: the URL keeps choosing the transport, so a broker
URL of another kind (``redis://``) is not affected.
"""
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.transport.filesystem import LOCK_EX, LOCK_SH, exchange_queue_t, lock, unlock
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

#: ``Transport`` as kombu's table of aliases names it
PATH = f"{__name__}:Transport"


def _table(raw: bytes) -> list:
    return [exchange_queue_t(*q) for q in loads(bytes_to_str(raw))] if raw.strip() else []


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # the name kombu gives it (time first: the folder is read in name order)
        final = os.path.join(self.data_folder_out, f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg")
        partial = final + ".part"
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def get_table(self, exchange):
        file = self._exchange_file(exchange)
        try:
            with file.open("rb") as f_obj:
                lock(f_obj, LOCK_SH)
                try:
                    raw = f_obj.read()
                finally:
                    unlock(f_obj)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        return _table(raw)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(exist_ok=True)
        bound = exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            with os.fdopen(os.open(file, os.O_RDWR | os.O_CREAT, 0o644), "r+b", buffering=0) as f_obj:
                lock(f_obj, LOCK_EX)
                try:
                    queues = _table(f_obj.read())
                    if bound not in queues:
                        queues.insert(0, bound)
                        f_obj.seek(0)
                        f_obj.truncate()
                        f_obj.write(str_to_bytes(dumps(queues)))
                finally:
                    unlock(f_obj)
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES["filesystem"] = PATH
