"""The worker's side of the citizen's messages: claim, send by e-mail or text message, mark sent.

As the staff e-mails (``notifications/mail.py``): the claim is committed before anything leaves,
so a task delivered twice finds nothing to claim; each message sent is marked and committed at
once; when the mail server or the SMS gateway cannot take messages now, the claims of those not
attempted are released and the task is retried; a message refused for good is marked with its
error and not tried again.
"""
import logging
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from onestop.core import clock, sms
from onestop.core.mailer import PER_MESSAGE_ERRORS, UNAVAILABLE_ERRORS, MailServerUnavailable, claim, release, transport
from onestop.extensions import db
from onestop.messages.models import CitizenMessage
from onestop.messages.operations import lease

log = logging.getLogger(__name__)


def send_messages(message_ids: list[int]) -> int:
    """Claim, then send, these messages; how many were sent."""
    now = clock.now()
    claimed = claim(CitizenMessage, "claimed_at", CitizenMessage.id.in_(message_ids), CitizenMessage.sent_at.is_(None),
                    CitizenMessage.cancelled_at.is_(None), CitizenMessage.send_after <= now,
                    or_(CitizenMessage.claimed_at.is_(None), CitizenMessage.claimed_at < now - lease()))
    if not claimed:
        return 0
    rows = db.session.scalars(select(CitizenMessage).where(CitizenMessage.id.in_(claimed))
                              .order_by(CitizenMessage.id)).all()
    work = [(m.id, m.channel, m.recipient, m.subject, m.body, m.key) for m in rows]
    db.session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    sent = 0
    mails = [w for w in work if w[1] == "email"]
    texts = [w for w in work if w[1] == "sms"]
    sent += _send_mails(mails)
    sent += _send_texts(texts)
    return sent


def _mark(message_id: int, error: str | None = None) -> None:
    values = {"sent_at": clock.now()} if error is None else {"error": error[:2000], "cancelled_at": clock.now()}
    db.session.execute(update(CitizenMessage).where(CitizenMessage.id == message_id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _compose(recipient: str, subject: str, body: str, key: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = subject
    message["From"] = config["ONESTOP_MAIL_FROM"]
    message["To"] = recipient
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid("citizen")
    message["X-Onestop-Message"] = key.replace(":", "-").replace("@", "_")[:120]
    message.set_content(body)
    return message


def _send_mails(mails) -> int:
    if not mails:
        return 0
    attempted: set[int] = set()
    sent = 0
    try:
        with transport() as out:
            for message_id, _channel, recipient, subject, body, key in mails:
                attempted.add(message_id)
                try:
                    out.send(_compose(recipient, subject, body, key))
                except PER_MESSAGE_ERRORS as exc:
                    log.warning("citizen mail %s refused", message_id, exc_info=True)
                    _mark(message_id, f"refused: {exc}")
                    continue
                sent += 1
                _mark(message_id)
    except UNAVAILABLE_ERRORS as exc:
        unattempted = [m[0] for m in mails if m[0] not in attempted]
        release(CitizenMessage, "claimed_at", unattempted)
        raise MailServerUnavailable(f"{len(unattempted)} citizen mails released for a retry: {exc}") from exc
    return sent


def _send_texts(texts) -> int:
    if not texts:
        return 0
    out = sms.sender()
    sent = 0
    for i, (message_id, _channel, recipient, _subject, body, key) in enumerate(texts):
        try:
            out.send(recipient, body, key=key.replace(":", "-"))
        except sms.SmsUnavailable as exc:
            release(CitizenMessage, "claimed_at", [m[0] for m in texts[i:]])
            raise MailServerUnavailable(f"SMS gateway unavailable, {len(texts) - i} texts released: {exc}") from exc
        except Exception as exc:  # a gateway's refusal of this one message
            log.warning("citizen text %s refused", message_id, exc_info=True)
            _mark(message_id, f"refused: {exc}")
            continue
        sent += 1
        _mark(message_id)
    return sent
