"""E-mail copies of notifications, sent by the worker in batches, each at least once.

``send_batch(ids)`` claims the notifications with one ``UPDATE … SET email_claimed_at = now WHERE
id IN (…) AND emailed_at IS NULL AND (not claimed, or the claim's lease ran out) RETURNING id`` and
commits the claim before the first mail leaves, so a task delivered twice, or two overlapping
batches, find nothing left to claim. Each mail sent is marked ``emailed_at`` and committed at
once. A worker that dies between the claim and the marks leaves claims behind; once their lease
(``ONESTOP_MAIL_LEASE_MINUTES``) has run out the deadline sweep hands them to the worker again
(``stale_claims``). The price of never losing a mail is that the one being sent when the worker
died may go twice. When the mail server cannot be reached at all, the claims of the mails not yet
attempted are released and the task is retried later. The claim and the transport are
``core/mailer.py``'s.
"""
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import local_time_text
from onestop.core.mailer import PER_MESSAGE_ERRORS, UNAVAILABLE_ERRORS, MailServerUnavailable, claim, release, transport
from onestop.dossiers.models import Dossier
from onestop.dossiers.notices import Notification
from onestop.extensions import db
from onestop.workflows.engine import engine

log = logging.getLogger(__name__)

SUBJECTS = {
    "due_soon": "Sắp đến hạn xử lý",
    "due": "Đến hạn xử lý",
    "overdue": "Quá hạn xử lý",
    "escalation": "Hồ sơ quá hạn tại đơn vị",
    "escalation_parent": "Hồ sơ quá hạn tại đơn vị cấp dưới",
}
RECORD_TIME = "%H:%M %d/%m/%Y"


def send_batch(notification_ids: list[int]) -> int:
    """Claim, then send, the e-mails of these notifications; returns how many were sent."""
    claimed = claim(Notification, "email_claimed_at", Notification.id.in_(notification_ids),
                    Notification.emailed_at.is_(None),
                    or_(Notification.email_claimed_at.is_(None), Notification.email_claimed_at < clock.now() - _lease()))
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
                except PER_MESSAGE_ERRORS:
                    log.warning("mail for notification %s refused", notification_id, exc_info=True)
                else:
                    sent += 1
                _mark_done({notification_id})
    except UNAVAILABLE_ERRORS as exc:
        unattempted = [i for i, _ in messages if i not in attempted]
        release(Notification, "email_claimed_at", unattempted)
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
        procedure = engine().of(dossier) if engine().has(dossier.procedure_code) else None
        lines.append(f"Hồ sơ: {dossier.code}" + (f" — {procedure.name}" if procedure else ""))
        if procedure is not None and dossier.step_due_at is not None:
            lines.append(f"Bước hiện tại: {procedure.step(dossier.step).name}, tại {dossier.holder_agency.name}, "
                         f"hạn {local_time_text(dossier.step_due_at, RECORD_TIME)}")
        lines.append(f"Hẹn trả kết quả: {local_time_text(dossier.due_at, RECORD_TIME)}")
        if config["ONESTOP_BASE_URL"]:
            lines.append(f"Xem hồ sơ: {config['ONESTOP_BASE_URL'].rstrip('/')}/dossiers/{dossier.id}")
        lines.append("")
    lines.append("Thư được gửi tự động từ hệ thống một cửa liên thông, vui lòng không trả lời thư này.")
    message.set_content("\n".join(lines))
    return message


def _dossier_code(notification: Notification) -> str:
    return notification.dossier.code if notification.dossier is not None else ""

