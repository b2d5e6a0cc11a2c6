"""The e-mail that tells a citizen who filed online what the desk decided.

The worker reloads the application and claims it (``decision_mailed_at``) before sending, so a
task delivered twice sends nothing more; if the mail server cannot be reached the claim is
released and the task retried. A worker dying between the claim and the send loses that one
mail: the look-up still tells the citizen the decision.
"""
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from flask import current_app

from onestop.core import clock
from onestop.core.calendar import local_time_text
from onestop.core.mailer import UNAVAILABLE_ERRORS, MailServerUnavailable, claim, release, transport
from onestop.extensions import db
from onestop.online.models import ApplicationStatus, OnlineApplication

MAIL_TIME = "%H:%M ngày %d/%m/%Y"


def send_decision(application_id: int) -> bool:
    """Claim, then send, the decision's e-mail; True when one was sent."""
    claimed = claim(OnlineApplication, "decision_mailed_at", OnlineApplication.id == application_id,
                    OnlineApplication.decision_mailed_at.is_(None),
                    OnlineApplication.status != ApplicationStatus.SUBMITTED, OnlineApplication.applicant_email.is_not(None))
    if not claimed:
        return False
    message = compose(db.session.get(OnlineApplication, application_id))
    db.session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    try:
        with transport() as out:
            out.send(message)
    except UNAVAILABLE_ERRORS as exc:
        release(OnlineApplication, "decision_mailed_at", claimed)
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
                  f"Ngày hẹn trả kết quả: {local_time_text(dossier.due_at, MAIL_TIME)}"]
    else:
        message["Subject"] = f"[Một cửa] Hồ sơ {application.reference} không được tiếp nhận"
        lines += [f"Hồ sơ nộp trực tuyến {application.reference} không được {application.desk_agency.name} tiếp nhận.",
                  f"Lý do: {application.refusal_reason}"]
    if config["ONESTOP_BASE_URL"]:
        lines.append(f"Tra cứu: {config['ONESTOP_BASE_URL'].rstrip('/')}/tra-cuu/")
    lines += ["", "Thư được gửi tự động từ hệ thống một cửa liên thông, vui lòng không trả lời thư này."]
    message.set_content("\n".join(lines))
    return message
