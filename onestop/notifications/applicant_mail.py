"""The e-mail that tells a citizen who filed online what the desk decided.

The worker reloads the application and claims it (``decision_mailed_at``) before sending, so a
task delivered twice sends nothing more; if the mail server cannot be reached the claim is
released and the task retried. A worker dying between the claim and the send loses that one
mail: the look-up still tells the citizen the decision.
"""
import smtplib
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import update

from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.extensions import db
from onestop.notifications.mail import MailServerUnavailable, transport
from onestop.public.online_models import ApplicationStatus, OnlineApplication


def send_decision(application_id: int) -> bool:
    """Claim, then send, the decision's e-mail; True when one was sent."""
    claimed = db.session.scalar(
        update(OnlineApplication).where(
            OnlineApplication.id == application_id, OnlineApplication.decision_mailed_at.is_(None),
            OnlineApplication.status != ApplicationStatus.SUBMITTED, OnlineApplication.applicant_email.is_not(None))
        .values(decision_mailed_at=clock.now()).returning(OnlineApplication.id)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if claimed is None:
        return False
    message = compose(db.session.get(OnlineApplication, application_id))
    db.session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    try:
        with transport() as out:
            out.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        db.session.execute(update(OnlineApplication).where(OnlineApplication.id == application_id)
                           .values(decision_mailed_at=None).execution_options(synchronize_session=False))
        db.session.commit()
        raise MailServerUnavailable(f"decision mail of application {application_id} released for a retry: {exc}") from exc
    return True


def compose(application: OnlineApplication) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = config["ONESTOP_MAIL_FROM"]
    message["To"] = application.applicant_email
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid("application")
    message["X-Onestop-Application"] = application.reference
    lines = [f"Kính gửi Ông/Bà {application.applicant_name},", ""]
    if application.status == ApplicationStatus.ACCEPTED:
        dossier = application.dossier
        message["Subject"] = f"[Một cửa] Đã tiếp nhận hồ sơ {dossier.code}"
        lines += [f"Hồ sơ nộp trực tuyến {application.reference} đã được {application.desk_agency.name} tiếp nhận.",
                  f"Mã hồ sơ: {dossier.code}",
                  f"Ngày hẹn trả kết quả: {_local(dossier.due_at)}"]
    else:
        message["Subject"] = f"[Một cửa] Hồ sơ {application.reference} không được tiếp nhận"
        lines += [f"Hồ sơ nộp trực tuyến {application.reference} không được {application.desk_agency.name} tiếp nhận.",
                  f"Lý do: {application.refusal_reason}"]
    if config["ONESTOP_BASE_URL"]:
        lines.append(f"Tra cứu: {config['ONESTOP_BASE_URL'].rstrip('/')}/tra-cuu/")
    lines += ["", "Thư được gửi tự động từ hệ thống một cửa liên thông, vui lòng không trả lời thư này."]
    message.set_content("\n".join(lines))
    return message


def _local(value) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")
