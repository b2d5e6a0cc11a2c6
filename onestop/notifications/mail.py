"""E-mail copies of notifications, sent by the worker in batches, each at least once.

``send_batch(ids)`` claims the notifications with one ``UPDATE … SET email_claimed_at = now WHERE
id IN (…) AND emailed_at IS NULL AND (not claimed, or the claim's lease ran out) RETURNING id`` and
commits the claim before the first mail leaves, so a task delivered twice, or two overlapping
batches, find nothing left to claim. Each mail sent is marked ``emailed_at`` and committed at
once. A worker that dies between the claim and the marks leaves claims behind; once their lease
(``ONESTOP_MAIL_LEASE_MINUTES``) has run out the deadline sweep hands them to the worker again
(``stale_claims``). The price of never losing a mail is that the one being sent when the worker
died may go twice. When the mail server cannot be reached at all, the claims of the mails not yet
attempted are released and the task is retried later.

Transport: SMTP when ``ONESTOP_SMTP_HOST`` is set (port, STARTTLS and login from the
``ONESTOP_SMTP_*`` settings); otherwise, the embedded default, one ``.eml`` file per mail in
``ONESTOP_MAIL_DIR`` (``instance/mail/``).
"""
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.notifications.models import Notification

log = logging.getLogger(__name__)

SUBJECTS = {
    "due_soon": "Sắp đến hạn xử lý",
    "due": "Đến hạn xử lý",
    "overdue": "Quá hạn xử lý",
    "escalation": "Hồ sơ quá hạn tại đơn vị",
    "escalation_parent": "Hồ sơ quá hạn tại đơn vị cấp dưới",
}
#: a refusal of one mail; the others of the batch still go
_PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class MailServerUnavailable(Exception):
    """The mail server could not be reached; the unattempted mails were released for a retry."""


def send_batch(notification_ids: list[int]) -> int:
    """Claim, then send, the e-mails of these notifications; returns how many were sent."""
    now = clock.now()
    claimed = list(db.session.scalars(
        update(Notification).where(Notification.id.in_(notification_ids), Notification.emailed_at.is_(None),
                                   or_(Notification.email_claimed_at.is_(None),
                                       Notification.email_claimed_at < now - _lease()))
        .values(email_claimed_at=now).returning(Notification.id).execution_options(synchronize_session=False)))
    db.session.commit()
    if not claimed:
        return 0
    rows = db.session.execute(
        select(Notification, User).join(User, User.id == Notification.user_id).where(Notification.id.in_(claimed))
        .options(selectinload(Notification.dossier).selectinload(Dossier.holder_agency))
        .order_by(Notification.id)).all()
    messages = [(n.id, compose(n, u)) for n, u in rows if u.email]
    _mark_done(set(claimed) - {i for i, _ in messages})  # nobody to write to
    attempted: set[int] = set()
    sent = 0
    try:
        with transport() as out:
            for notification_id, message in messages:
                attempted.add(notification_id)
                try:
                    out.send(message)
                except _PER_MESSAGE_ERRORS:
                    log.warning("mail for notification %s refused", notification_id, exc_info=True)
                else:
                    sent += 1
                _mark_done({notification_id})
    except (OSError, smtplib.SMTPException) as exc:
        unattempted = [i for i, _ in messages if i not in attempted]
        if unattempted:
            db.session.execute(update(Notification).where(Notification.id.in_(unattempted))
                               .values(email_claimed_at=None).execution_options(synchronize_session=False))
            db.session.commit()
        raise MailServerUnavailable(f"{len(unattempted)} mails released for a retry: {exc}") from exc
    return sent


def stale_claims(now: datetime, limit: int = 10_000) -> list[int]:
    """Notifications whose e-mail was claimed longer than the lease ago and never marked done."""
    return list(db.session.scalars(
        select(Notification.id).where(Notification.emailed_at.is_(None), Notification.email_claimed_at.is_not(None),
                                      Notification.email_claimed_at < now - _lease())
        .order_by(Notification.id).limit(limit)))


def _lease() -> timedelta:
    return timedelta(minutes=current_app.config["ONESTOP_MAIL_LEASE_MINUTES"])


def _mark_done(notification_ids: set[int]) -> None:
    """Record the mails as done and commit: the claim's lease no longer matters for them.

    The commit also ends the read transaction, which on SQLite would hold the write lock."""
    if notification_ids:
        db.session.execute(update(Notification).where(Notification.id.in_(notification_ids))
                           .values(emailed_at=clock.now()).execution_options(synchronize_session=False))
    db.session.commit()


def compose(notification: Notification, user: User) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = f"[Một cửa] {SUBJECTS.get(notification.kind, 'Thông báo')}: {_dossier_code(notification)}"
    message["From"] = config["ONESTOP_MAIL_FROM"]
    message["To"] = user.email
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid("notification")
    message["X-Onestop-Notification"] = str(notification.id)
    lines = [f"Kính gửi {user.full_name},", "", notification.message, ""]
    dossier = notification.dossier
    if dossier is not None:
        engine = current_app.extensions["onestop_engine"]
        procedure = engine.procedure(dossier.procedure_code) if engine.has(dossier.procedure_code) else None
        lines.append(f"Hồ sơ: {dossier.code}" + (f" — {procedure.name}" if procedure else ""))
        if procedure is not None and dossier.step_due_at is not None:
            lines.append(f"Bước hiện tại: {procedure.step(dossier.step).name}, tại {dossier.holder_agency.name}, "
                         f"hạn {_local(dossier.step_due_at)}")
        lines.append(f"Hẹn trả kết quả: {_local(dossier.due_at)}")
        if config["ONESTOP_BASE_URL"]:
            lines.append(f"Xem hồ sơ: {config['ONESTOP_BASE_URL'].rstrip('/')}/dossiers/{dossier.id}")
        lines.append("")
    lines.append("Thư được gửi tự động từ hệ thống một cửa liên thông, vui lòng không trả lời thư này.")
    message.set_content("\n".join(lines))
    return message


def _dossier_code(notification: Notification) -> str:
    return notification.dossier.code if notification.dossier is not None else ""


def _local(value) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def transport():
    """Where mail goes: the SMTP server when one is set, else ``.eml`` files (the embedded default)."""
    config = current_app.config
    if config["ONESTOP_SMTP_HOST"]:
        return _SMTPTransport(config)
    return _FolderTransport(Path(config["ONESTOP_MAIL_DIR"]))


class _SMTPTransport:
    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        c = self.config
        self.smtp = smtplib.SMTP(c["ONESTOP_SMTP_HOST"], c["ONESTOP_SMTP_PORT"], timeout=c["ONESTOP_SMTP_TIMEOUT"])
        try:
            if c["ONESTOP_SMTP_STARTTLS"]:
                self.smtp.starttls(context=ssl.create_default_context())
            if c["ONESTOP_SMTP_USER"]:
                self.smtp.login(c["ONESTOP_SMTP_USER"], c["ONESTOP_SMTP_PASSWORD"])
        except BaseException:
            self.smtp.close()
            raise
        return self

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)

    def __exit__(self, *exc_info) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class _FolderTransport:
    """The embedded default: each mail a ``.eml`` file, written whole (temporary name, then renamed)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: EmailMessage) -> None:
        name = f"{clock.now():%Y%m%dT%H%M%S}-{message['X-Onestop-Notification'] or message['X-Onestop-Application']}.eml"
        partial = self.folder / (name + ".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(self.folder / name)

    def __exit__(self, *exc_info) -> None:
        return None
