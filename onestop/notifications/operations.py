"""Writing notifications; duplicates by key are ignored, so every writer is idempotent."""
from sqlalchemy.dialects import postgresql, sqlite

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
