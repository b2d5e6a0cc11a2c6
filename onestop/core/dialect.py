"""What differs between the two databases the app runs on, written once."""
from sqlalchemy.dialects import postgresql, sqlite

from onestop.core.database import db


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert(model):
    """``INSERT`` with ``ON CONFLICT`` support (upserts, insert-if-absent) for the current database."""
    return (postgresql.insert if is_postgresql() else sqlite.insert)(model)
