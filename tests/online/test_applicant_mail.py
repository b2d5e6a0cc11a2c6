"""The citizen who filed online with an e-mail address hears of the desk's decision, once."""
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.core.mailer import MailServerUnavailable
from onestop.core.outbox import OutboxMessage
from onestop.core.tasks import Task
from onestop.dossiers.applicant import Applicant
from onestop.online.mail import send_decision
from onestop.online.operations import accept_online_application, refuse_online_application, submit_application
from tests.conftest import vn
from tests.notifications.test_mail import free_port

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCS = ["birth_notice", "declaration"]


def filed(db, email: str | None = "binh@example.vn"):
    desk = db.session.scalar(select(Agency.id).where(Agency.code == "HBMK"))
    citizen = Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321",
                        address="5 Lê Lợi, Máy Tơ, Ngô Quyền", email=email)
    with clock.frozen(vn(2026, 12, 8, 9, 0)):
        return submit_application(procedure_code="1.001193", desk_id=desk, applicant=citizen, delivery_method="desk",
                                  uploads=[("declaration", "to-khai.pdf", PDF), ("birth_notice", "chung-sinh.pdf", PDF)])


def handed_over(db) -> list[dict]:
    return [m.payload for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.task == Task.MAIL_APPLICANT_DECISION))]


@pytest.fixture
def mail_dir(app, tmp_path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "ONESTOP_MAIL_DIR", str(tmp_path / "mail"))
    return tmp_path / "mail"


def mails(folder: Path):
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in sorted(folder.glob("*.eml"))]


def test_an_accepted_application_mails_the_dossier_code_and_appointment_once(db, user, mail_dir):
    application = filed(db)
    with clock.frozen(vn(2026, 12, 8, 10, 0)):
        dossier = accept_online_application(application, user("hbmk.clerk"), DOCS)
    db.session.commit()
    assert handed_over(db) == [{"application_id": application.id}]
    assert send_decision(application.id) is True
    assert send_decision(application.id) is False  # a second delivery of the task sends nothing
    [mail] = mails(mail_dir)
    assert mail["To"] == "binh@example.vn" and mail["Subject"] == f"[Một cửa] Đã tiếp nhận hồ sơ {dossier.code}"
    body = mail.get_content()
    assert f"Mã hồ sơ: {dossier.code}" in body and "Ngày hẹn trả kết quả: 10:00 ngày 09/12/2026" in body


def test_a_refusal_mails_the_reason(db, user, mail_dir):
    application = filed(db)
    with clock.frozen(vn(2026, 12, 8, 10, 0)):
        refuse_online_application(application, user("hbmk.clerk"), "Giấy chứng sinh bị mờ, không đọc được.")
    db.session.commit()
    assert send_decision(application.id) is True
    [mail] = mails(mail_dir)
    assert "không được tiếp nhận" in mail["Subject"] and "Lý do: Giấy chứng sinh bị mờ, không đọc được." in mail.get_content()


def test_no_address_no_mail_and_no_decision_no_mail(db, user, mail_dir):
    quiet = filed(db, email=None)
    waiting = filed(db)
    with clock.frozen(vn(2026, 12, 8, 10, 0)):
        accept_online_application(quiet, user("hbmk.clerk"), DOCS)
    db.session.commit()
    assert handed_over(db) == []
    assert send_decision(waiting.id) is False and not mail_dir.exists()


def test_the_mail_server_down_releases_the_claim_for_a_retry(app, db, user, monkeypatch):
    application = filed(db)
    with clock.frozen(vn(2026, 12, 8, 10, 0)):
        refuse_online_application(application, user("hbmk.clerk"), "Thiếu tờ khai.")
    db.session.commit()
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_PORT", free_port())
    with pytest.raises(MailServerUnavailable):
        send_decision(application.id)
    db.session.refresh(application)
    assert application.decision_mailed_at is None
