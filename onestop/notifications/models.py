from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.core import clock
from onestop.core.models import TimestampMixin
from onestop.extensions import db


class Notification(TimestampMixin, db.Model):
    """An in-app message to one user; ``key`` makes each reminder exist at most once."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_unread", "user_id", postgresql_where=text("read_at IS NULL"),
              sqlite_where=text("read_at IS NULL")),
        # e-mails claimed by a worker and not done: the sweep takes back those whose lease ran out
        Index("ix_notifications_mail_claimed", "email_claimed_at",
              postgresql_where=text("emailed_at IS NULL AND email_claimed_at IS NOT NULL"),
              sqlite_where=text("emailed_at IS NULL AND email_claimed_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    #: ``assigned``, ``due_soon``, ``due``, ``overdue``, ``escalation``…
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    #: unique per (kind, dossier, step visit, threshold, user): re-running a sweep adds nothing
    key: Mapped[str] = mapped_column(String(200), unique=True)
    read_at: Mapped[datetime | None]
    #: when a worker took the e-mail copy to send it; a claim older than the lease with no
    #: ``emailed_at`` is taken again (the worker died while sending)
    email_claimed_at: Mapped[datetime | None]
    #: when the e-mail copy was done with: sent, refused for good by the server, or no address
    emailed_at: Mapped[datetime | None]

    dossier = relationship("Dossier")


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
