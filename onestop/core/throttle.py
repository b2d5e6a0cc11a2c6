"""A small fixed-window limiter for the public pages, kept in the database so every web process
(and both run modes) share it without another server.

A row counts events per key and window: failed look-ups under the client's address, online
submissions under ``submission_key(address)``; each caller compares the count with its own limit."""
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core import clock
from onestop.core.database import db
from onestop.core.dialect import insert


class LookupAttempt(db.Model):
    """Events (failed look-ups, or submissions) per key and window start."""

    __tablename__ = "lookup_attempts"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)


WINDOW = timedelta(minutes=15)
MAX_FAILURES = 10
#: online applications one address may file per window
MAX_SUBMISSIONS = 5


def _window(now: datetime) -> datetime:
    seconds = int(WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def submission_key(client: str) -> str:
    return f"submit:{client}"


def is_blocked(client: str, limit: int = MAX_FAILURES) -> bool:
    now = clock.now()
    failures = db.session.scalar(select(LookupAttempt.failures).where(
        LookupAttempt.client == client, LookupAttempt.window_start == _window(now)))
    return (failures or 0) >= limit


def record(client: str) -> None:
    now = clock.now()
    stmt = insert(LookupAttempt).values(client=client, window_start=_window(now), failures=1)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[LookupAttempt.client, LookupAttempt.window_start],
        set_={"failures": LookupAttempt.failures + 1}))
    db.session.execute(delete(LookupAttempt).where(LookupAttempt.window_start < _window(now) - WINDOW))
