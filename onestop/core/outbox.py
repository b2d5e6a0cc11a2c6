"""The transactional outbox: tasks are rows first, messages to the broker after the commit.

Operations call ``enqueue`` inside the caller's transaction. After that transaction commits the
rows are sent to Celery and marked sent; if the broker is down they stay unsent and the
``relay_outbox`` beat task sends them later, so nothing is lost. Each row keeps the id of the
request that wrote it, sent along as a message header so the worker's log lines carry it too.

Why a row is marked sent only after the broker took it, on a connection of its own: publishing
before the commit lets the worker read the old state (or a rolled-back one), and marking the row
sent inside the committing transaction loses the message when the process dies, or the broker
fails, between the commit and the publish (the issue's "never routed, its row already marked
sent"). So the after-commit path costs one short UPDATE; a message may go out twice (the relay
racing that UPDATE, a crash just before it), never zero times, and every task is idempotent.

A broker outage must not slow the site (``Publisher``): each publish is bounded by
``ONESTOP_PUBLISH_TIMEOUT`` (no connection retries, short socket time-outs), and after one failure
the process stops trying for ``ONESTOP_PUBLISH_PAUSE_SECONDS``, leaving the rows to the relay.
"""
import logging
import os
import threading
import time
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import JSON, Index, String, event, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from onestop.core import clock, request_id
from onestop.core.database import db
from onestop.core.tasks import Task

log = logging.getLogger(__name__)
_PENDING = "onestop_outbox_pending"


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


class Publisher:
    """Hands messages to the broker within a bounded time, and stops trying for a while after a failure.

    One per application and process: its kombu connection pool is built lazily in the process that
    uses it (a pool inherited through ``fork`` would share sockets with the parent) from the app's
    broker settings, tightened so that a dead or hung broker answers within the publish timeout
    instead of kombu's and redis-py's retries (about 6 s against a closed port). The pause (a circuit
    breaker) keeps every request of a process from paying even that timeout while the broker is down.
    """

    def __init__(self, celery, timeout: float, pause: float):
        self.celery, self.timeout, self.pause = celery, timeout, pause
        self._pool = None
        self._pid = None
        self._lock = threading.Lock()
        self.paused_until = 0.0

    @property
    def paused(self) -> bool:
        return time.monotonic() < self.paused_until

    def reset(self) -> None:
        """Close the breaker and drop the connections (after a failure, or when the broker is back)."""
        self.paused_until = 0.0
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.force_close_all()

    def _connections(self):
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                options = {**self.celery.conf.broker_transport_options, "max_retries": 0,
                           "socket_connect_timeout": self.timeout, "socket_timeout": self.timeout}
                connection = self.celery.connection_for_write(connect_timeout=self.timeout,
                                                              transport_options=options)
                self._pool, self._pid = connection.Pool(limit=self.celery.conf.broker_pool_limit or 10), os.getpid()
            return self._pool

    def publish(self, rows) -> list[int]:
        """Send ``rows`` (id, task, payload, request id) in order; the ids the broker took. Stops at
        the first failure, which opens the breaker."""
        sent = []
        try:
            with self._connections().acquire(block=True, timeout=self.timeout) as connection:
                for row_id, task, payload, rid in rows:
                    self.celery.send_task(task, kwargs=payload, retry=False, connection=connection,
                                          headers={request_id.HEADER: rid} if rid else None)
                    sent.append(row_id)
        except Exception:  # broker down or hung: the relay sends the rest later
            log.warning("outbox: %d of %d messages not sent; the relay will send them, publishing paused %g s",
                        len(rows) - len(sent), len(rows), self.pause, exc_info=True)
            self.reset()
            self.paused_until = time.monotonic() + self.pause
        return sent


def publisher() -> Publisher:
    app = current_app._get_current_object()
    found = app.extensions.get("outbox_publisher")
    if found is None:
        found = app.extensions["outbox_publisher"] = Publisher(
            app.extensions["celery"], app.config["ONESTOP_PUBLISH_TIMEOUT"], app.config["ONESTOP_PUBLISH_PAUSE_SECONDS"])
    return found


@event.listens_for(Session, "after_flush")
def _remember_new_messages(session: Session, flush_context) -> None:
    rows = [(obj.id, obj.task, obj.payload, obj.request_id) for obj in session.new if isinstance(obj, OutboxMessage)]
    if rows:
        session.info.setdefault(_PENDING, []).extend(rows)


@event.listens_for(Session, "after_rollback")
def _forget_messages(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if rows and has_app_context() and current_app.config.get("ONESTOP_DISPATCH_ON_COMMIT"):
        if publisher().paused:
            return  # the broker failed moments ago: the rows wait for the relay
        _mark_sent(publisher().publish(sorted(rows)))


def _mark_sent(ids: list[int]) -> None:
    """One UPDATE on a connection of its own: the session that enqueued them has just committed."""
    if ids:
        with db.engine.begin() as conn:
            conn.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))
                         .values(sent_at=clock.now()))


def send(ids: list[int]) -> int:
    """Send the given unsent messages to the broker, whatever the breaker says; returns how many
    went out. Reads and marks them on its own connection, outside the caller's session."""
    with db.engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.id, OutboxMessage.task, OutboxMessage.payload,
                                   OutboxMessage.request_id)
                            .where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))
                            .order_by(OutboxMessage.id)).all()
    if not rows:
        return 0
    sent = publisher().publish([tuple(row) for row in rows])
    if len(sent) == len(rows):
        publisher().paused_until = 0.0  # the broker is back: requests publish again at once
    _mark_sent(sent)
    return len(sent)


def relay(limit: int = 500) -> int:
    """Send whatever is still unsent (the beat task's body)."""
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))
                             .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.rollback()
    return send(list(ids)) if ids else 0
