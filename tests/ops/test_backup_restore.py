"""A running system backed up and restored into another instance: every dossier, event, file and
deadline comes back identical (in whichever mode the tests run: pg_dump or SQLite's backup API)."""
import threading
from pathlib import Path

from click.testing import Result
from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.operations import receive_dossier
from onestop.ops.archive import Manifest
from tests.conftest import APPLICANT, COPY
from tests.ops.instances import empty_instance, file_bytes, populate, rows, stored_names


def invoke(app, *args) -> Result:
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


class Writer(threading.Thread):
    """Keeps receiving dossiers (one commit each) until stopped, as the desk does while the backup runs."""

    def __init__(self, app, db) -> None:
        super().__init__(daemon=True)
        self.app, self.db, self.stop, self.made, self.error = app, db, threading.Event(), 0, None

    def run(self) -> None:
        try:
            with self.app.app_context():
                clerk = self.db.session.scalar(select(User).where(User.username == "hbmk.clerk"))
                while not self.stop.is_set() and self.made < 500:
                    receive_dossier(clerk, procedure_code=COPY, applicant=APPLICANT, documents=["original", "copy"])
                    self.db.session.commit()
                    self.made += 1
                self.db.session.remove()
        except BaseException as exc:
            self.error = exc


def test_a_running_system_is_restored_identical_into_another_instance(app, committed, tmp_path):
    db = committed
    populate()
    db.session.remove()
    before = rows(db.engine)
    assert {r["status"] for r in before["dossiers"].values()} == {"processing", "supplement", "done", "refused",
                                                                   "withdrawn"}
    assert {r["status"] for r in before["online_applications"].values()} == {"submitted", "accepted", "refused"}
    assert any(r["removed_at"] is not None for r in before["attachments"].values())

    writer = Writer(app, db)
    writer.start()
    try:
        while writer.made < 3 and writer.is_alive():  # the backup starts while dossiers are being received
            threading.Event().wait(0.05)
        result = invoke(app, "backup", str(tmp_path / "backup"))
        done_at = writer.made
        while writer.made < done_at + 2 and writer.is_alive():  # and goes on after it
            threading.Event().wait(0.05)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None
    assert result.exit_code == 0, result.output
    after = rows(db.engine)
    manifest = Manifest.read(tmp_path / "backup")
    assert len(before["dossiers"]) + 3 <= manifest.tables["dossiers"] < len(after["dossiers"])
    assert set(manifest.files) == stored_names(before)

    with empty_instance(app, tmp_path) as other:
        restored = invoke(other, "restore", str(tmp_path / "backup"))
        assert restored.exit_code == 0, restored.output
        assert "restored and checked" in restored.output
        with other.app_context():
            from onestop.extensions import db as other_db

            back = rows(other_db.engine)
        for table, expected in before.items():  # everything written before the backup, identical
            assert {k: back[table].get(k) for k in expected} == expected, table
        for table, got in back.items():  # and nothing that was not in the live system
            assert all(after[table].get(k) == row for k, row in got.items()), table
        assert len(back["dossiers"]) == manifest.tables["dossiers"]
        assert {(r["dossier_id"],) for r in back["dossier_events"].values()} == set(back["dossiers"])  # each with its history
        source = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
        target = Path(other.config["ONESTOP_ATTACHMENT_DIR"])
        assert file_bytes(target, stored_names(back)) == file_bytes(source, stored_names(before))
        assert {r["due_at"] for r in back["dossiers"].values()} >= {r["due_at"] for r in before["dossiers"].values()}
