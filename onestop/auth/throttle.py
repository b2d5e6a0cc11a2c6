"""Login throttling per account and per address, kept in the database so every web process shares it.

Each wrong password counts against two keys: ``user:<login name as typed, lower-cased>`` and
``addr:<client address>``. A key that reaches its limit within the window is locked for the lockout
time; while locked, even the right password is refused. Names that match no account are counted and
locked exactly like real ones, so the answer never tells whether an account exists. A successful
login clears its account key (not the address: one user's success does not forgive another's
guesses from the same kiosk). An administrator lifts a lock by deleting its row (``lift``).

A key's counter restarts when its first failure is older than the window; the count and the lock
are set by one ``INSERT … ON CONFLICT DO UPDATE``, so two processes failing at once both count.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, case, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core import clock
from onestop.core.dialect import insert
from onestop.extensions import db


class LoginFailure(db.Model):
    """Wrong passwords counted under one key (an account name or an address), and its lock."""

    __tablename__ = "login_failures"

    #: ``user:<name>`` or ``addr:<address>``
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    #: the first failure of the current window
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    #: refused until then, whatever the password; None while under the limit
    locked_until: Mapped[datetime | None] = mapped_column(index=True)


def account_key(username: str) -> str:
    return "user:" + username.strip().lower()[:100]


def address_key(address: str | None) -> str:
    return "addr:" + (address or "unknown")[:100]


def _limits() -> dict[str, int]:
    config = current_app.config
    return {"user": config["ONESTOP_LOGIN_MAX_FAILURES"], "addr": config["ONESTOP_LOGIN_MAX_FAILURES_PER_ADDRESS"]}


def is_locked(*keys: str) -> bool:
    now = clock.now()
    return db.session.scalar(select(LoginFailure.key).where(
        LoginFailure.key.in_(keys), LoginFailure.locked_until > now).limit(1)) is not None


def record_failure(*keys: str) -> None:
    """Count one wrong password against each key; lock a key that reaches its limit."""
    config = current_app.config
    now = clock.now()
    window = timedelta(minutes=config["ONESTOP_LOGIN_WINDOW_MINUTES"])
    lockout = now + timedelta(minutes=config["ONESTOP_LOGIN_LOCKOUT_MINUTES"])
    limits = _limits()
    for key in keys:
        limit = limits[key.split(":", 1)[0]]
        table = LoginFailure.__table__
        stale = table.c.first_at < now - window
        count = case((stale, 1), else_=table.c.failures + 1)
        stmt = insert(LoginFailure).values(key=key, failures=1, first_at=now, last_at=now,
                                           locked_until=lockout if limit <= 1 else None)
        db.session.execute(stmt.on_conflict_do_update(index_elements=[LoginFailure.key], set_={
            "failures": count,
            "first_at": case((stale, now), else_=table.c.first_at),
            "last_at": now,
            "locked_until": case((count >= limit, lockout), else_=table.c.locked_until),
        }))


def clear(key: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == key))


def locks(now: datetime | None = None) -> list[LoginFailure]:
    """The keys locked now, the latest first (the administrator's list)."""
    now = now or clock.now()
    return list(db.session.scalars(select(LoginFailure).where(LoginFailure.locked_until > now)
                                   .order_by(LoginFailure.last_at.desc()).limit(500)))


def lift(key: str) -> bool:
    """Lift a lock (and forget its count); True when there was one."""
    return db.session.execute(delete(LoginFailure).where(LoginFailure.key == key)).rowcount > 0


def purge(now: datetime) -> int:
    """Forget counters whose window and lock are both over."""
    window = timedelta(minutes=current_app.config["ONESTOP_LOGIN_WINDOW_MINUTES"])
    return db.session.execute(delete(LoginFailure).where(
        LoginFailure.last_at < now - window,
        or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < now))).rowcount
