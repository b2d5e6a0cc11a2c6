"""In-app notifications: the small model and the writers the door and the sweep call.

Every notification has a unique ``key``; a writer that meets an existing key adds nothing, so
every writer is idempotent (a retried task, a re-run sweep, a double click notify once).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, cast, literal, select, text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.dialect import insert
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


def insert_ignoring_duplicates():
    """``INSERT … ON CONFLICT (key) DO NOTHING`` for the current database."""
    return insert(Notification)


def notify(*, user_id: int, kind: str, message: str, key: str, dossier_id: int | None = None) -> bool:
    """Add one notification unless one with this key exists; True when added."""
    stmt = insert_ignoring_duplicates().values(
        user_id=user_id, dossier_id=dossier_id, kind=kind, message=message, key=key
    ).on_conflict_do_nothing(index_elements=["key"])
    return db.session.execute(stmt).rowcount == 1


def notify_supervisors(agency_id: int, *, kind: str, message: str, key_prefix: str, dossier_id: int) -> int:
    """Notify every active supervisor of the agency in one ``INSERT … SELECT``; keyed per user."""
    key = literal(key_prefix + ":") + cast(User.id, String)
    rows = select(User.id, literal(dossier_id), literal(kind), literal(message), key,
                  literal(clock.now(), type_=Notification.created_at.type)).where(
        User.agency_id == agency_id, User.role == Role.SUPERVISOR, User.active)
    stmt = insert_ignoring_duplicates().from_select(
        ["user_id", "dossier_id", "kind", "message", "key", "created_at"], rows
    ).on_conflict_do_nothing(index_elements=["key"])
    return db.session.execute(stmt).rowcount


def mark_read_for_dossier(user_id: int, dossier_id: int) -> int:
    """Opening a dossier reads its notifications (so it leaves the "new to me" tab)."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.dossier_id == dossier_id,
                                      Notification.read_at.is_(None)).values(read_at=clock.now())
    return db.session.execute(stmt).rowcount
