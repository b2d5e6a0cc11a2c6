"""Routing and the deadline sweep through a real Celery worker on the configured broker
(Redis in server mode, the filesystem transport in embedded mode)."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from kombu.exceptions import OperationalError
from sqlalchemy import func, select

import worker.tasks  # noqa: F401  (registers the tasks)
from onestop.auth.models import User
from onestop.core import clock
from onestop.core.outbox import OutboxMessage, relay
from onestop.dossiers.models import Dossier
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action
from tests.conftest import vn


@pytest.fixture
def running_worker(app, committed):
    app.config["ONESTOP_DISPATCH_ON_COMMIT"] = True
    celery_app = app.extensions["celery"]
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield celery_app
    app.config["ONESTOP_DISPATCH_ON_COMMIT"] = False


def wait_for(db, query, expected, timeout=60.0):
    """Poll the database until ``query`` returns ``expected``.

    Each read is its own short transaction: on SQLite an open one holds the write lock the worker needs.
    The timeout outlasts the routing task's retries (1 + 2 + 4 + 8 + 16 s) on a loaded machine.
    """
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        db.session.rollback()
        value = db.session.scalar(query)
        db.session.rollback()
        if value == expected:
            return value
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout}s for {expected!r}, last saw {value!r}")


def _user(db, username):
    return db.session.scalar(select(User).where(User.username == username))


def test_transfer_is_routed_to_least_loaded_officer_and_notified(app, committed, running_worker, create_dossier):
    db = committed
    dossier = create_dossier()
    perform_action(dossier, _user(db, "hb.clerk"), "forward")
    db.session.commit()  # the outbox row is sent to the broker after this commit
    officer = _user(db, "hb.officer")
    wait_for(db, select(Dossier.assignee_id).where(Dossier.id == dossier.id), officer.id)
    wait_for(db, select(func.count()).select_from(Notification).where(
        Notification.user_id == officer.id, Notification.kind == "assigned"), 1)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None))) == 0

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(officer.id)
    page = client.get("/inbox").get_data(as_text=True)
    assert 'data-testid="unread-count">1<' in page
    assert dossier.code in client.get("/notifications/").get_data(as_text=True)


def test_sweep_through_worker_notifies_once(app, committed, running_worker, create_dossier):
    db = committed
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier()
        perform_action(dossier, _user(db, "hb.clerk"), "forward")
        db.session.commit()
        officer = _user(db, "hb.officer")
        wait_for(db, select(Dossier.assignee_id).where(Dossier.id == dossier.id), officer.id)
    supervisor = _user(db, "hb.supervisor")
    count = select(func.count()).select_from(Notification).where(
        Notification.dossier_id == dossier.id, Notification.kind != "assigned")
    with clock.frozen(vn(2027, 3, 1, 9, 0)):  # long past the step's due time
        for _ in range(2):
            running_worker.send_task("onestop.sweep_deadlines")
        wait_for(db, count, 3)
        time.sleep(1.0)  # let the second sweep finish; it must add nothing
        running_worker.send_task("onestop.sweep_deadlines")
        time.sleep(1.0)
        assert db.session.scalar(count) == 3
        # the three are e-mailed (in one batch task); let it finish before the worker stops
        wait_for(db, count.where(Notification.emailed_at.is_not(None)), 3)
    kinds = dict(db.session.execute(select(Notification.user_id, Notification.kind).where(
        Notification.dossier_id == dossier.id, Notification.kind != "assigned")).all())
    # a late sweep sends the latest threshold only: the day count to the officer, both escalations
    assert kinds == {officer.id: "overdue", supervisor.id: "escalation", _user(db, "hp.supervisor").id: "escalation_parent"}
    db.session.rollback()  # SQLite: no open transaction while the worker shuts down


def test_outbox_survives_a_broker_outage(app, committed, create_dossier, monkeypatch):
    """With the broker unreachable the transfer still commits; the relay sends it later."""
    db = committed
    celery_app = app.extensions["celery"]

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to broker. Connection refused.")

    app.config["ONESTOP_DISPATCH_ON_COMMIT"] = True
    try:
        with monkeypatch.context() as patch:
            patch.setattr(celery_app, "send_task", broker_down)
            dossier = create_dossier()
            perform_action(dossier, _user(db, "hb.clerk"), "forward")
            db.session.commit()
        unsent = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        assert db.session.scalar(unsent) == 1
        assert db.session.get(Dossier, dossier.id).step == "district_check"
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert relay() == 1
            wait_for(db, select(Dossier.assignee_id).where(Dossier.id == dossier.id), _user(db, "hb.officer").id)
        assert relay() == 0
    finally:
        app.config["ONESTOP_DISPATCH_ON_COMMIT"] = False
