"""The transactional outbox: tasks are rows first, messages to the broker after the commit.

Operations call ``enqueue`` inside the caller's transaction. After that transaction commits the
rows are sent to Celery and marked sent; if the broker is down they stay unsent and the
``relay_outbox`` beat task sends them later, so nothing is lost. Each row keeps the id of the
request that wrote it, sent along as a message header so the worker's log lines carry it too.
"""
import logging
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import JSON, Index, String, event, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from onestop.core import clock, request_id
from onestop.core.database import db
from onestop.core.tasks import Task

log = logging.getLogger(__name__)
_PENDING = "onestop_outbox_ids"


class OutboxMessage(db.Model):
    """A task for the worker, written in the same transaction as the change that asks for it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL"), sqlite_where=text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Celery task name
    task: Mapped[str] = mapped_column(String(100))
    #: keyword arguments of the task (ids, never rows)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None]
    #: the request (or task) that asked for it, passed to the worker for its log lines
    request_id: Mapped[str | None] = mapped_column(String(64))


def enqueue(task: Task, **payload) -> OutboxMessage:
    message = OutboxMessage(task=str(task), payload=payload, request_id=request_id.get())
    db.session.add(message)
    return message


@event.listens_for(Session, "after_flush")
def _remember_new_messages(session: Session, flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if ids:
        session.info.setdefault(_PENDING, []).extend(ids)


@event.listens_for(Session, "after_rollback")
def _forget_messages(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids and has_app_context() and current_app.config.get("ONESTOP_DISPATCH_ON_COMMIT"):
        send(ids)


def send(ids: list[int]) -> int:
    """Send the given unsent messages to the broker; returns how many went out.

    Runs on its own connection, outside the session that just committed.
    """
    celery = current_app.extensions["celery"]
    sent = 0
    with db.engine.begin() as conn:
        rows = conn.execute(select(OutboxMessage.id, OutboxMessage.task, OutboxMessage.payload,
                                   OutboxMessage.request_id)
                            .where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))).all()
        for row in rows:
            try:
                celery.send_task(row.task, kwargs=row.payload, retry=False,
                                 headers={request_id.HEADER: row.request_id} if row.request_id else None)
            except Exception:  # broker down: the relay sends it later
                log.warning("outbox %s not sent; the relay will retry", row.id, exc_info=True)
                break
            conn.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                         .values(sent_at=clock.now()))
            sent += 1
    return sent


def relay(limit: int = 500) -> int:
    """Send whatever is still unsent (the beat task's body)."""
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))
                             .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.rollback()
    return send(list(ids)) if ids else 0
