"""E-mail copies of notifications: claimed once, written as .eml in the embedded default, sent over
SMTP (a real local aiosmtpd server) when configured, released for a retry when the server is down,
and sent again by the next sweep when the worker died while sending them."""
import socket
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from onestop.core import clock, mailer
from onestop.core.mailer import MailServerUnavailable
from onestop.core.outbox import OutboxMessage
from onestop.core.tasks import Task
from onestop.dossiers.notices import Notification
from onestop.notifications import mail
from onestop.notifications.mail import send_batch, stale_claims
from onestop.notifications.sweep import sweep
from tests.conftest import COPY, vn


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on a free port of 127.0.0.1, and the app configured to use it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_PORT", controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def due_notifications(db, create_dossier):
    """Two copy dossiers at the ward desk whose reception step is due: two ``due`` notifications."""
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossiers = [create_dossier(clerk="hbmk.clerk", procedure=COPY) for _ in range(2)]
    with clock.frozen(vn(2026, 12, 7, 10, 0)):
        assert sweep()["due"] == 2
    db.session.commit()
    return db.session.scalars(select(Notification.id).where(
        Notification.dossier_id.in_([d.id for d in dossiers]), Notification.kind == "due")).all()


def test_embedded_default_writes_eml_files_once(app, db, due_notifications, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_MAIL_DIR", str(tmp_path / "mail"))
    assert send_batch(due_notifications) == 2
    files = sorted(Path(tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["To"] == "hbmk.clerk@onestop.example"
    assert mail["Subject"].startswith("[Một cửa] Đến hạn xử lý: HBMK-")
    assert "đã đến hạn xử lý bước hiện tại" in mail.get_content()
    # a second delivery of the same task (or an overlapping batch) claims nothing and sends nothing
    assert send_batch(due_notifications) == 0
    assert len(list(Path(tmp_path / "mail").glob("*.eml"))) == 2
    assert all(n.emailed_at is not None for n in db.session.scalars(
        select(Notification).where(Notification.id.in_(due_notifications))))


def test_smtp_sends_each_mail_once(db, due_notifications, smtp_server):
    assert send_batch(due_notifications) == 2
    assert send_batch(due_notifications) == 0
    mails = smtp_server.messages()
    assert len(mails) == 2
    assert {m["To"] for m in mails} == {"hbmk.clerk@onestop.example"}
    assert {e.rcpt_tos[0] for e in smtp_server.envelopes} == {"hbmk.clerk@onestop.example"}
    assert all("Hẹn trả kết quả:" in m.get_content() for m in mails)


def test_server_down_releases_the_claims_for_a_retry(app, db, due_notifications, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_PORT", free_port())  # nobody listens there
    with pytest.raises(MailServerUnavailable):
        send_batch(due_notifications)
    assert all(n.emailed_at is None and n.email_claimed_at is None for n in db.session.scalars(
        select(Notification).where(Notification.id.in_(due_notifications)).execution_options(populate_existing=True)))


def test_users_without_an_address_get_no_mail(app, db, due_notifications, user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_MAIL_DIR", str(tmp_path / "mail"))
    user("hbmk.clerk").email = None
    db.session.flush()
    assert send_batch(due_notifications) == 0
    assert not list(Path(tmp_path).rglob("*.eml"))


class DiesOnSecondMail:
    """A transport whose worker dies (any unexpected error) while sending the second mail."""

    def __init__(self, sent: list):
        self.sent = sent

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message) -> None:
        if len(self.sent) == 1:
            raise SystemExit("worker killed")
        self.sent.append(message["X-Onestop-Notification"])


def test_a_mail_whose_worker_died_is_sent_again_once_its_lease_runs_out(app, db, due_notifications, tmp_path,
                                                                         monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(mail, "transport", lambda: DiesOnSecondMail(sent))
    with pytest.raises(SystemExit):
        send_batch(due_notifications)
    db.session.rollback()
    first, second = sorted(due_notifications)
    assert sent == [str(first)]
    rows = {n.id: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(due_notifications))
                                                .execution_options(populate_existing=True))}
    assert rows[first].emailed_at is not None  # marked as soon as it left
    assert rows[second].emailed_at is None and rows[second].email_claimed_at is not None
    claimed_at = rows[second].email_claimed_at

    monkeypatch.setattr(mail, "transport", lambda: mailer._FolderTransport(tmp_path / "mail"))
    assert send_batch(due_notifications) == 0  # a redelivered task: the claim still holds
    lease = timedelta(minutes=app.config["ONESTOP_MAIL_LEASE_MINUTES"])
    assert stale_claims(claimed_at + lease - timedelta(seconds=1)) == []

    later = claimed_at + lease + timedelta(minutes=1)
    with clock.frozen(later):
        before = set(db.session.scalars(select(OutboxMessage.id)))
        sweep()
        handed = [m.payload["notification_ids"] for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.task == Task.SEND_NOTIFICATION_MAIL)) if m.id not in before]
        assert handed == [[second]]
        assert send_batch(handed[0]) == 1
        assert stale_claims(later) == []
    assert [m["X-Onestop-Notification"] for m in map(
        lambda f: message_from_bytes(f.read_bytes(), policy=policy.default),
        (tmp_path / "mail").glob("*.eml"))] == [str(second)]
