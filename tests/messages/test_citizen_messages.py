"""The citizen is told when the result is ready (once, by e-mail and text message, through the
outbox and the worker), reminded to collect it after N working days unless collected; the SMS
sender is pluggable and writes files in embedded mode, as the e-mails are."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.outbox import OutboxMessage
from onestop.core.sms import SmsUnavailable
from onestop.core.tasks import Task
from onestop.dossiers.operations import perform_action, return_result, route
from onestop.messages.models import CitizenMessage
from onestop.messages.operations import hand_due
from onestop.messages.send import send_messages
from tests.conftest import APPLICANT, vn

COPY = "2.000815"
CITIZEN = APPLICANT.__class__(**{**APPLICANT.__dict__, "email": "an@example.vn"})
SENT: list = []


class RecordingSender:
    """A gateway stand-in for ``ONESTOP_SMS_SENDER``: keeps what it is given."""

    def __init__(self, config):
        self.config = config

    def send(self, phone, text, *, key=""):
        if self.config.get("SMS_DOWN"):
            raise SmsUnavailable("gateway down")
        SENT.append((phone, text))


def _at_return(db, create_dossier, user, applicant=CITIZEN):
    with clock.frozen(vn(2026, 12, 7, 9)):
        dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY, applicant=applicant)
        for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
            perform_action(dossier, user(username), action, note="ok")
            route(dossier.id, dossier.step_seq)
        db.session.commit()
    return dossier


def _messages(db, kind=None):
    query = select(CitizenMessage).order_by(CitizenMessage.id)
    return db.session.scalars(query.where(CitizenMessage.kind == kind) if kind else query).all()


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setitem(app.config, "ONESTOP_SMS_DIR", str(tmp_path / "sms"))
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_HOST", "")
    return tmp_path


def test_the_result_ready_is_told_once_by_mail_and_sms_through_the_worker(db, create_dossier, user, folders):
    dossier = _at_return(db, create_dossier, user)
    ready = _messages(db, "result_ready")
    assert sorted((m.channel, m.recipient) for m in ready) == [("email", "an@example.vn"), ("sms", "0912345678")]
    assert "Mời Ông/Bà đến nhận kết quả" in next(m.body for m in ready if m.channel == "email")
    sms = next(m for m in ready if m.channel == "sms")
    assert sms.body.isascii() and dossier.code in sms.body  # no accents: 160 characters per SMS
    tasks = db.session.scalars(select(OutboxMessage.payload).where(
        OutboxMessage.task == Task.SEND_CITIZEN_MESSAGES)).all()
    assert sorted(i for payload in tasks for i in payload["message_ids"]) == sorted(m.id for m in ready)
    with clock.frozen(vn(2026, 12, 7, 11)):
        assert send_messages([m.id for m in ready]) == 2
        assert send_messages([m.id for m in ready]) == 0  # a task delivered twice sends nothing more
    (mail,) = (folders / "mail").glob("*.eml")
    (text,) = (folders / "sms").glob("*.txt")
    assert "an@example.vn" in mail.read_text() and "To: +84912345678" in text.read_text()


def test_the_pick_up_reminder_comes_after_n_working_days_unless_collected(db, create_dossier, user, folders):
    _at_return(db, create_dossier, user)
    (reminder, _sms) = _messages(db, "pickup_reminder")
    assert reminder.queued_at is None
    assert reminder.send_after.astimezone(VN_TZ).strftime("%d/%m %H:%M") == "10/12 09:00"  # 3 working days after 07/12 09:00
    reminders = _messages(db, "pickup_reminder")
    with clock.frozen(reminder.send_after - timedelta(minutes=1)):
        hand_due(clock.now())
        db.session.expire_all()
        assert all(m.queued_at is None for m in reminders)
    with clock.frozen(reminder.send_after + timedelta(minutes=1)):
        hand_due(clock.now())
        db.session.expire_all()
        assert all(m.queued_at == clock.now() for m in reminders)
        assert hand_due(clock.now()) == 0  # handed once (until its lease runs out)
        assert send_messages([m.id for m in reminders]) == 2
    assert "chưa được nhận" in reminder.body


def test_a_collected_result_is_not_reminded(db, create_dossier, user, folders):
    dossier = _at_return(db, create_dossier, user)
    with clock.frozen(vn(2026, 12, 8, 9)):
        return_result(dossier, user("hbmk.clerk"), recipient="Nguyễn Văn An")
    assert all(m.cancelled_at is not None for m in _messages(db, "pickup_reminder"))
    with clock.frozen(vn(2026, 12, 31, 9)):
        hand_due(clock.now())
    db.session.expire_all()
    assert all(m.queued_at is None and m.sent_at is None for m in _messages(db, "pickup_reminder"))


def test_the_sms_sender_is_pluggable_and_a_gateway_outage_is_retried(app, db, create_dossier, user, folders,
                                                                     monkeypatch):
    from onestop.core.mailer import MailServerUnavailable

    monkeypatch.setitem(app.config, "ONESTOP_SMS_SENDER", f"{__name__}:RecordingSender")
    SENT.clear()
    dossier = _at_return(db, create_dossier, user, applicant=APPLICANT)  # no e-mail: the phone only
    (sms,) = _messages(db, "result_ready")
    monkeypatch.setitem(app.config, "SMS_DOWN", True)
    with clock.frozen(vn(2026, 12, 7, 11)), pytest.raises(MailServerUnavailable):
        send_messages([sms.id])
    db.session.refresh(sms)
    assert sms.claimed_at is None and sms.sent_at is None  # released for the retry
    monkeypatch.setitem(app.config, "SMS_DOWN", False)
    with clock.frozen(vn(2026, 12, 7, 11)):
        assert send_messages([sms.id]) == 1
    assert SENT == [("0912345678", sms.body)] and dossier.code in SENT[0][1]
    assert not list(Path(folders / "sms").glob("*.txt"))


def test_a_submitters_phone_is_told_too(db, create_dossier, user, folders):
    from onestop.dossiers.applicant import Submitter
    applicant = APPLICANT.__class__(**{**APPLICANT.__dict__, "submitter": Submitter("Lê Văn Cường", "031085007421",
                                                                                     "0987000111")})
    with clock.frozen(vn(2026, 12, 7, 9)):
        dossier = create_dossier(clerk="hbmk.clerk", procedure="1.000656", applicant=applicant,
                                 documents=["declaration", "death_notice", "authorisation"])
        for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
            perform_action(dossier, user(username), action, note="ok")
    assert sorted(m.recipient for m in _messages(db, "result_ready")) == ["0912345678", "0987000111"]
