"""Through a real Celery worker (Redis in server mode) and a real SMTP server (aiosmtpd on a free
local port): an overdue dossier produces exactly one e-mail to its officer and one escalation to
the district's supervisor, however many times the beat fires."""
import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

import worker.tasks  # noqa: F401  (registers the tasks)
from onestop.auth.models import User
from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action
from tests.conftest import vn


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_inbox(app, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_PORT", port)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def running_worker(app, committed, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_DISPATCH_ON_COMMIT", True)
    celery_app = app.extensions["celery"]
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield celery_app


def _user(db, username):
    return db.session.scalar(select(User).where(User.username == username))


def wait_for(db, read, expected, timeout=30.0):
    """Poll until ``read()`` returns ``expected``; each database read is its own short transaction."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        db.session.rollback()
        value = read()
        db.session.rollback()
        if value == expected:
            return value
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout}s for {expected!r}, last saw {value!r}")


def test_overdue_dossier_mails_its_officer_and_escalates_once(app, committed, smtp_inbox, running_worker, create_dossier):
    db = committed
    with clock.frozen(vn(2026, 12, 7, 8, 0)):  # the district step is due Monday 14 Dec 13:30
        dossier = create_dossier()
        perform_action(dossier, _user(db, "hb.clerk"), "forward")
        db.session.commit()
        officer = _user(db, "hb.officer")
        wait_for(db, lambda: db.session.scalar(select(Dossier.assignee_id).where(Dossier.id == dossier.id)), officer.id)
    supervisor = _user(db, "hb.supervisor")
    addresses = {officer.email, supervisor.email}
    db.session.rollback()

    def recipients():
        return sorted(rcpt for e in smtp_inbox.envelopes for rcpt in e.rcpt_tos)

    with clock.frozen(vn(2026, 12, 15, 14, 0)):  # one working day and a half hour overdue
        for _ in range(3):
            running_worker.send_task("onestop.sweep_deadlines")
        wait_for(db, recipients, sorted(addresses))
        time.sleep(1.5)  # the later sweeps (and any mail task they might enqueue) must add nothing
        running_worker.send_task("onestop.sweep_deadlines")
        time.sleep(1.5)
    assert recipients() == sorted(addresses)
    kinds = dict(db.session.execute(select(Notification.user_id, Notification.kind).where(
        Notification.dossier_id == dossier.id, Notification.kind != "assigned")).all())
    assert kinds == {officer.id: "overdue", supervisor.id: "escalation"}
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.dossier_id == dossier.id, Notification.kind != "assigned", Notification.emailed_at.is_(None))) == 0
    subjects = sorted(message_from_bytes(e.content, policy=policy.default)["Subject"] for e in smtp_inbox.envelopes)
    assert subjects == [f"[Một cửa] Hồ sơ quá hạn tại đơn vị: {dossier.code}", f"[Một cửa] Quá hạn xử lý: {dossier.code}"]
    db.session.rollback()  # SQLite: no open transaction while the worker shuts down
