"""Runs the worker's webhook tasks as the worker would, from the outbox rows (no broker)."""
from sqlalchemy import select

from onestop.core import clock
from onestop.core.outbox import OutboxMessage
from onestop.core.tasks import Task
from onestop.extensions import db as _db
from worker.tasks import deliver_webhooks, retry_webhooks


def run_outbox() -> int:
    """Run every unsent webhook message, oldest first, as the worker would; returns how many ran."""
    ran = 0
    while True:
        message = _db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.task == str(Task.DELIVER_WEBHOOKS)).order_by(OutboxMessage.id))
        if message is None:
            _db.session.rollback()
            return ran
        message.sent_at = clock.now()
        payload = dict(message.payload)
        _db.session.commit()
        deliver_webhooks(**payload)
        ran += 1


def retry() -> int:
    """The beat's retry task, then the messages it queued."""
    retry_webhooks()
    return run_outbox()
