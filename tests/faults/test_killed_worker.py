"""A real ``celery worker`` killed with SIGKILL in the middle of a routing batch loses no dossier.

The worker is a subprocess on the test's database and broker (PostgreSQL and Redis in server mode,
the SQLite file and the filesystem broker in embedded mode). A batch of transfers is published,
the worker starts routing them and is killed, every process of it at once, as ``kill -9`` or the
OOM killer would. What it held is gone with it: on the filesystem broker a message is removed when
read, and Redis gives back the unacknowledged ones only after the visibility timeout (30 minutes).
A new worker and the beat's ``reroute_unassigned`` then route everything left, each dossier exactly
once (one assignment event each), within a bounded time.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.core.tasks import Task
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import perform_action, receive_dossier
from tests.conftest import APPLICANT, LAND_DOCS
from tests.faults.helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]
BATCH = 100
#: seconds the new worker and the beat task may take to route what the killed worker left
BOUND = 90


def _worker(app, name: str, log) -> subprocess.Popen:
    """A worker whose warnings and errors go to ``log`` (an open file the caller closes)."""
    env = {**os.environ, "ONESTOP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ONESTOP_REROUTE_GRACE_SECONDS": "0", "ONESTOP_LOG_FORMAT": "text", "ONESTOP_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--pool=prefork",
                             "--concurrency=2", "--loglevel=warning", "-n", f"{name}@%h", "--without-mingle",
                             "--without-gossip"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=log)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL to the worker and its pool's children together: nothing gets to acknowledge or requeue."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def _assigned(db, ids) -> int:
    return db.session.scalar(select(func.count()).select_from(Dossier).where(
        Dossier.id.in_(ids), Dossier.assignee_id.is_not(None)))


def _drop_torn_messages(app) -> None:
    """Embedded mode: a worker killed while it wrote a message (the filesystem transport writes one
    file per message) leaves a torn file that kombu cannot read, and every later worker on that
    folder stops on it ("Unrecoverable error: JSONDecodeError"). The tests share one folder, so the
    torn files go; on a real instance the folder is the worker's own and a kill -9 is an operator's."""
    options = app.extensions["celery"].conf.broker_transport_options or {}
    folder = options.get("data_folder_in")
    if not folder:
        return
    for path in Path(folder).glob("*.msg"):
        try:
            json.loads(path.read_bytes())
        except ValueError:
            path.unlink(missing_ok=True)
        except OSError:
            pass


@pytest.fixture
def batch(app, committed):
    """``BATCH`` land dossiers forwarded to the district, their routing messages on the broker."""
    db = committed
    clerk = db.session.scalar(select(User).where(User.username == "hb.clerk"))
    app.config["ONESTOP_DISPATCH_ON_COMMIT"] = True
    try:
        ids = []
        for _ in range(BATCH):
            dossier = receive_dossier(clerk, procedure_code="1.013978", applicant=APPLICANT, documents=LAND_DOCS)
            db.session.flush()
            perform_action(dossier, clerk, "forward")
            ids.append(dossier.id)
            db.session.commit()
        yield ids
    finally:
        app.config["ONESTOP_DISPATCH_ON_COMMIT"] = False
        _drop_torn_messages(app)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def test_every_dossier_is_routed_exactly_once_after_the_worker_is_killed_mid_batch(app, committed, batch, tmp_path):
    db = committed
    ids = batch
    logs = tmp_path / "first.log", tmp_path / "second.log"
    with logs[0].open("w") as log:
        first = _worker(app, "faults-killed", log)
        try:
            before = wait_until(db, lambda: _assigned(db, ids), lambda n: n >= 5, timeout=120, every=0.02)
        finally:
            _kill(first)
    killed_at = time.monotonic()
    left = len(ids) - _assigned(db, ids)
    db.session.rollback()
    assert before >= 5 and left > 0, (f"the worker routed {before} then all before it was killed: nothing was "
                                      f"tested\n{_tail(logs[0])}")

    with logs[1].open("w") as log:
        second = _worker(app, "faults-second", log)
        try:
            def beat_and_count():
                app.extensions["celery"].send_task(str(Task.REROUTE_UNASSIGNED))  # what beat sends each minute
                return _assigned(db, ids)

            done = wait_until(db, beat_and_count, lambda n: n == len(ids), timeout=BOUND, every=2.0)
            took = time.monotonic() - killed_at
        finally:
            second.terminate()
            second.wait(timeout=60)
    print(f"killed worker: {left} of {len(ids)} dossiers unrouted at the kill, all routed {took:.1f} s later")
    assert done == len(ids), (f"{len(ids) - done} dossiers still unassigned {BOUND} s after the kill; the first "
                              f"worker said:\n{_tail(logs[0])}\nthe second:\n{_tail(logs[1])}")
    assignments = dict(db.session.execute(select(DossierEvent.dossier_id, func.count()).where(
        DossierEvent.action == "assign", DossierEvent.dossier_id.in_(ids)).group_by(DossierEvent.dossier_id)).all())
    db.session.rollback()
    assert assignments == dict.fromkeys(ids, 1)
