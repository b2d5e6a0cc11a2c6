"""Writing what the citizen is told, in the transaction of the move that calls for it, and handing it
to the worker: ``tell`` (now or later), ``cancel`` (what it was about has happened), ``hand_due``
(the sweep: the reminders that have come due, and the messages whose worker died)."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, update

from onestop.core import clock
from onestop.core.dialect import insert
from onestop.core.outbox import enqueue
from onestop.core.sms import sms_text
from onestop.core.tasks import Task
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.messages.models import CitizenMessage

#: message ids per task handed to the worker
BATCH = 200


def recipients(dossier: Dossier) -> list[tuple[str, str]]:
    """(channel, address) the citizen is told at: the applicant's e-mail, the applicant's phone and
    the submitter's when someone filed on their behalf."""
    found = [("email", dossier.applicant_email)] if dossier.applicant_email else []
    phones = [dossier.applicant_phone, dossier.submitter_phone]
    found += [("sms", phone) for i, phone in enumerate(phones) if phone and phone not in phones[:i]]
    return found


def tell(dossier: Dossier, *, kind: str, occasion: str | int, subject: str, body: str, sms: str,
         send_after: datetime | None = None) -> list[int]:
    """Write the message for each of the citizen's addresses, once (a key that exists adds nothing);
    hand it to the worker now, or let the sweep do it at ``send_after``. The new rows' ids."""
    now = clock.now()
    due = send_after is None or send_after <= now
    new: list[int] = []
    for channel, address in recipients(dossier):
        text = body if channel == "email" else sms_text(sms)
        stmt = insert(CitizenMessage).values(
            dossier_id=dossier.id, kind=kind, channel=channel, recipient=address, subject=subject[:300], body=text,
            key=f"{kind}:{dossier.id}:{occasion}:{channel}:{address}"[:200], created_at=now,
            send_after=send_after or now, queued_at=now if due else None,
        ).on_conflict_do_nothing(index_elements=["key"]).returning(CitizenMessage.id)
        new += list(db.session.scalars(stmt))
    if due and new:
        enqueue(Task.SEND_CITIZEN_MESSAGES, message_ids=new)
    return new


def cancel(dossier_id: int, *kinds: str) -> int:
    """The reminders of these kinds not sent yet will not be: what they were about has happened."""
    return db.session.execute(
        update(CitizenMessage).where(CitizenMessage.dossier_id == dossier_id, CitizenMessage.kind.in_(kinds),
                                     CitizenMessage.sent_at.is_(None), CitizenMessage.claimed_at.is_(None),
                                     CitizenMessage.cancelled_at.is_(None))
        .values(cancelled_at=clock.now()).execution_options(synchronize_session=False)).rowcount


def lease() -> timedelta:
    return timedelta(minutes=current_app.config["ONESTOP_MAIL_LEASE_MINUTES"])


def hand_due(now: datetime) -> int:
    """The sweep's part: mark the messages that are due and not with a worker (never handed, or
    handed or claimed longer than the lease ago and not sent) as handed, and enqueue them."""
    stale = now - lease()
    ids = list(db.session.scalars(
        update(CitizenMessage).where(
            CitizenMessage.sent_at.is_(None), CitizenMessage.cancelled_at.is_(None), CitizenMessage.send_after <= now,
            or_(CitizenMessage.queued_at.is_(None), CitizenMessage.queued_at < stale),
            or_(CitizenMessage.claimed_at.is_(None), CitizenMessage.claimed_at < stale))
        .values(queued_at=now).returning(CitizenMessage.id).execution_options(synchronize_session=False)))
    for start in range(0, len(ids), BATCH):
        enqueue(Task.SEND_CITIZEN_MESSAGES, message_ids=ids[start:start + BATCH])
    return len(ids)
