"""Sending deliveries: one (subscription, dossier) queue at a time, in order, retried with
exponential backoff for a day (``ONESTOP_WEBHOOK_RETRY_HOURS``), then marked failed.

``deliver_queue`` sends the head of a queue (its oldest pending delivery) and, when it is taken
(a 2xx answer), the next one, and so on; a head that fails waits for its next attempt and keeps
the deliveries behind it waiting, so a receiver sees a dossier's events in the order they
happened. A head marked failed no longer holds the queue (the receiver can find the gap by the
event ids, and replay it from the log). The head is claimed with a lease before it is sent, so two
workers never send one queue at once and a worker that dies while sending lets it go again; no
transaction is open while the HTTP call runs (on SQLite an open one would hold the write lock).
``retry_due`` (beat) hands the queues whose head is due to the worker again.

At least once: a delivery whose answer was lost (the worker died after the receiver took it) is
sent again; receivers deduplicate on ``Onestop-Webhook-Id``.
"""
import json
import logging
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import or_, select, update

from onestop.api.models import Handover
from onestop.core import clock
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.extensions import db
from onestop.webhooks import signing
from onestop.webhooks.models import DeliveryStatus, WebhookDelivery

log = logging.getLogger(__name__)

#: how long a worker may take to send one delivery before another may take it again
LEASE = timedelta(seconds=60)
#: connect and read time-outs of one attempt
TIMEOUT = (5.0, 15.0)
USER_AGENT = "onestop-webhooks/1"


def retry_window() -> timedelta:
    return timedelta(hours=current_app.config["ONESTOP_WEBHOOK_RETRY_HOURS"])


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 × base, 4 × base… at most an hour."""
    base = current_app.config["ONESTOP_WEBHOOK_BACKOFF_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def body_of(delivery: WebhookDelivery, sender_reference: str | None) -> bytes:
    document = {"id": delivery.id, **delivery.payload,
                "event": {"id": delivery.event_id, **delivery.payload.get("event", {})},
                "replay_of": delivery.replay_of_id}
    document["dossier"] = {**document["dossier"], "sender_reference": sender_reference}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _head(subscription_id: int, dossier_id: int) -> WebhookDelivery | None:
    return db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.dossier_id == dossier_id,
        WebhookDelivery.status == DeliveryStatus.PENDING).order_by(WebhookDelivery.id).limit(1))


def _claim(delivery_id: int, now: datetime) -> bool:
    return db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now),
    ).values(claimed_until=now + LEASE)).rowcount == 1


def post(url: str, secret: str, delivery_id: int, kind: str, body: bytes) -> tuple[int | None, str | None]:
    """One attempt: (HTTP status or None, error or None); a 2xx status and no error is success."""
    timestamp = int(clock.now().timestamp())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               signing.ID_HEADER: str(delivery_id), signing.EVENT_HEADER: f"dossier.{kind}",
               signing.TIMESTAMP_HEADER: str(timestamp),
               signing.SIGNATURE_HEADER: signing.signature(secret, timestamp, body)}
    try:
        answer = requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    if 200 <= answer.status_code < 300:
        return answer.status_code, None
    return answer.status_code, f"HTTP {answer.status_code}: {answer.text[:500]}"


def _record(delivery_id: int, status: int | None, error: str | None) -> DeliveryStatus:
    """Write down an attempt; returns the delivery's status after it."""
    delivery = db.session.get(WebhookDelivery, delivery_id, with_for_update=True)
    now = clock.now()
    delivery.attempts += 1
    delivery.last_status, delivery.last_error, delivery.claimed_until = status, error, None
    if error is None:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        return delivery.status
    following = now + backoff(delivery.attempts)
    if following > delivery.created_at + retry_window():
        delivery.status, delivery.failed_at = DeliveryStatus.FAILED, now
        log.warning("webhook delivery %s failed for good after %s attempts: %s", delivery_id, delivery.attempts, error)
    else:
        delivery.next_attempt_at = following
    return delivery.status


def deliver_queue(subscription_id: int, dossier_id: int, limit: int = 100) -> int:
    """Send what is due in one queue, in order; returns how many deliveries were taken."""
    taken = 0
    for _ in range(limit):
        now = clock.now()
        head = _head(subscription_id, dossier_id)
        if head is None or head.next_attempt_at > now or (head.claimed_until is not None and head.claimed_until > now):
            db.session.rollback()
            return taken
        subscription = head.subscription
        if not subscription.active:
            _fail_removed(subscription.id)
            db.session.commit()
            return taken
        reference = db.session.scalar(select(Handover.reference).where(Handover.dossier_id == dossier_id))
        delivery_id, kind, url, secret = head.id, head.kind, subscription.url, subscription.secret
        body = body_of(head, reference)
        claimed = _claim(delivery_id, now)
        db.session.commit()
        if not claimed:
            return taken
        status, error = post(url, secret, delivery_id, kind, body)
        outcome = _record(delivery_id, status, error)
        db.session.commit()
        if outcome == DeliveryStatus.PENDING:  # to be tried again later: the queue waits behind it
            return taken
        taken += outcome == DeliveryStatus.DELIVERED
    return taken


def _fail_removed(subscription_id: int) -> int:
    return db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == DeliveryStatus.PENDING,
    ).values(status=DeliveryStatus.FAILED, failed_at=clock.now(), last_error="subscription removed")).rowcount


def retry_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Hand every queue whose head is due (a retry whose time has come, or a lease that ran out)
    to the worker again; returns how many. Sending one twice is harmless: the claim lets one go."""
    now = now or clock.now()
    queues = db.session.execute(select(WebhookDelivery.subscription_id, WebhookDelivery.dossier_id).where(
        WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now),
    ).group_by(WebhookDelivery.subscription_id, WebhookDelivery.dossier_id).limit(limit)).all()
    for subscription_id, dossier_id in queues:
        enqueue(Task.DELIVER_WEBHOOKS, subscription_id=subscription_id, dossier_id=dossier_id)
    return len(queues)

