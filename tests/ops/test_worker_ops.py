"""The worker and beat, for real: their heartbeats, the request id a task gets from the request that
enqueued it, the failures and reminders they count, their log lines in our format."""
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from sqlalchemy import delete, func, select

import worker.tasks  # noqa: F401  (registers the tasks)
from onestop.auth.models import User
from onestop.core import clock, request_id
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action
from onestop.ops import heartbeat, logs
from onestop.ops.models import Counter, Heartbeat
from tests.conftest import vn

ROOT = Path(__file__).resolve().parents[2]


class Records(logging.Handler):
    """Keeps each record with the request id our filter gives it, in the thread that logs it."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(logs.RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def wait_for(read, expected, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value == expected:
            return value
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout}s for {expected!r}, last saw {value!r}")


@pytest.fixture
def ops_rows(app, committed):
    yield committed
    committed.session.rollback()
    for model in (Counter, Heartbeat):
        committed.session.execute(delete(model))
    committed.session.commit()


@pytest.fixture
def running_worker(app, ops_rows):
    app.config.update(ONESTOP_DISPATCH_ON_COMMIT=True, ONESTOP_HEARTBEAT_SECONDS=0.5)
    celery_app = app.extensions["celery"]
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="INFO"):
            yield celery_app, records
    finally:
        logging.getLogger().removeHandler(records)
        app.config.update(ONESTOP_DISPATCH_ON_COMMIT=False, ONESTOP_HEARTBEAT_SECONDS=30.0)
        ops_rows.session.rollback()  # SQLite: no open transaction while the worker shuts down


def _read(db, query):
    db.session.rollback()
    try:
        return db.session.scalar(query)
    finally:
        db.session.rollback()


def test_a_running_worker_keeps_its_heartbeat_fresh_and_readyz_sees_it(app, running_worker, ops_rows):
    db = ops_rows
    name = select(Heartbeat.name).where(Heartbeat.kind == "worker")
    assert wait_for(lambda: "@" in (_read(db, name) or ""), True)
    first = _read(db, select(Heartbeat.seen_at).where(Heartbeat.kind == "worker"))
    wait_for(lambda: _read(db, select(Heartbeat.seen_at).where(Heartbeat.kind == "worker")) > first, True, timeout=20)
    checks = app.test_client().get("/readyz").json["checks"]
    assert checks["worker"]["ok"] is True and checks["worker"]["detail"].startswith("seen ")


def test_a_task_logs_with_the_id_of_the_request_that_enqueued_it(app, running_worker, ops_rows, create_dossier):
    db = ops_rows
    _, records = running_worker
    dossier = create_dossier()
    clerk = db.session.scalar(select(User).where(User.username == "hb.clerk"))
    db.session.rollback()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(clerk.id)
    response = client.post(f"/dossiers/{dossier.id}/action", data={"action": "forward"},
                           headers={"X-Request-ID": "desk-forward-0000042"})
    assert response.status_code == 302 and response.headers["X-Request-ID"] == "desk-forward-0000042"
    officer = db.session.scalar(select(User.id).where(User.username == "hb.officer"))
    wait_for(lambda: _read(db, select(Dossier.assignee_id).where(Dossier.id == dossier.id)), officer)
    done = wait_for(lambda: any("onestop.route_dossier" in r.getMessage() and "succeeded" in r.getMessage()
                                for r in records.records), True)
    assert done
    # what is logged while the task runs (not the consumer's "received", logged before it starts)
    task_lines = [r for r in records.records if r.name == "celery.app.trace" and "onestop.route_dossier" in r.getMessage()]
    assert task_lines and {r.request_id for r in task_lines} == {"desk-forward-0000042"}
    assert request_id.get() is None  # the worker's id stays with the task


@shared_task(name="tests.ops.always_fails")
def always_fails():
    raise RuntimeError("no luck")


def test_failures_are_counted_per_task(app, running_worker, ops_rows):
    celery_app, _ = running_worker
    celery_app.send_task("tests.ops.always_fails")
    celery_app.send_task("tests.ops.always_fails")
    count = select(Counter.value).where(Counter.name == "task_failures:tests.ops.always_fails")
    wait_for(lambda: _read(ops_rows, count), 2)
    found = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'onestop_task_failures_total{task="tests.ops.always_fails"} 2.0' in found


def test_the_sweeps_reminders_are_counted(app, running_worker, ops_rows, create_dossier):
    db = ops_rows
    celery_app, _ = running_worker
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier()
        perform_action(dossier, db.session.scalar(select(User).where(User.username == "hb.clerk")), "forward")
        db.session.commit()
        officer = db.session.scalar(select(User.id).where(User.username == "hb.officer"))
        wait_for(lambda: _read(db, select(Dossier.assignee_id).where(Dossier.id == dossier.id)), officer)
    with clock.frozen(vn(2027, 3, 1, 9, 0)):  # long past the step's due time
        celery_app.send_task("onestop.sweep_deadlines")
        total = select(func.sum(Counter.value)).where(Counter.name.like("reminders_sent:%"))
        wait_for(lambda: _read(db, total), 3)
        kinds = dict(db.session.execute(select(Counter.name, Counter.value)
                                        .where(Counter.name.like("reminders_sent:%"))).all())
        db.session.rollback()
        wait_for(lambda: _read(db, select(func.count()).select_from(Counter)
                               .where(Counter.name.like("task_failures:%"))), 0)
    assert kinds == {"reminders_sent:overdue": 1, "reminders_sent:escalation": 1, "reminders_sent:escalation_parent": 1}


def test_beat_writes_its_heartbeat_and_logs_json_lines(app, ops_rows, tmp_path):
    """A real ``celery beat`` on a broker folder of its own (it sends nothing in its first seconds anyway)."""
    env = {**os.environ, "ONESTOP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "ONESTOP_BROKER_URL": "filesystem://",
           "ONESTOP_INSTANCE_PATH": str(tmp_path), "ONESTOP_HEARTBEAT_SECONDS": "1", "ONESTOP_LOG_FORMAT": "json"}
    beat = subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.app", "beat", "--loglevel=info",
                             "-s", str(tmp_path / "schedule")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = select(Heartbeat.seen_at).where(Heartbeat.kind == "beat")
        first = wait_for(lambda: _read(ops_rows, seen) is not None, True, timeout=60) and _read(ops_rows, seen)
        wait_for(lambda: _read(ops_rows, seen) > first, True, timeout=20)
        assert app.test_client().get("/readyz").json["checks"]["beat"]["ok"] is True
    finally:
        beat.terminate()
        output = beat.communicate(timeout=30)[0]
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(e["logger"] == "celery.beat" and e["level"] == "INFO" for e in entries), output
    assert heartbeat.KINDS == ("worker", "beat")
