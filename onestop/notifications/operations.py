"""Writing notifications; duplicates by key are ignored, so every writer is idempotent."""
from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from onestop.core import clock
from onestop.extensions import db
from onestop.notifications.models import Notification


def insert_ignoring_duplicates():
    """``INSERT … ON CONFLICT (key) DO NOTHING`` for the current database."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Notification)


def notify(*, user_id: int, kind: str, message: str, key: str, dossier_id: int | None = None) -> bool:
    """Add one notification unless one with this key exists; True when added."""
    stmt = insert_ignoring_duplicates().values(
        user_id=user_id, dossier_id=dossier_id, kind=kind, message=message, key=key
    ).on_conflict_do_nothing(index_elements=["key"])
    return db.session.execute(stmt).rowcount == 1


def notify_supervisors(agency_id: int, *, kind: str, message: str, key_prefix: str, dossier_id: int) -> int:
    """Notify every active supervisor of the agency in one ``INSERT … SELECT``; keyed per user."""
    from onestop.auth.models import Role, User

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
