"""Heartbeats and running counters: written by the worker and beat, read by ``/readyz`` and ``/metrics``.

Times here are the machine's real UTC time, not the application's clock (``core.clock``), which a demo
may shift: a heartbeat says when a process was last alive.
"""
import logging
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from onestop.extensions import db
from onestop.ops.models import Counter, Heartbeat

log = logging.getLogger(__name__)
KINDS = ("worker", "beat")
#: a process not seen for this long is gone (a replaced container, a renamed host): its row goes
FORGET_AFTER = timedelta(days=7)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _insert(engine: Engine, model):
    return (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(model)


def beat(app: Flask, kind: str, name: str, started_at: datetime) -> bool:
    """Record that process ``name`` is alive now; False (and a warning) when the database cannot be reached."""
    now = utcnow()
    try:
        with app.app_context():
            stmt = _insert(db.engine, Heartbeat).values(name=name, kind=kind, seen_at=now, started_at=started_at)
            stmt = stmt.on_conflict_do_update(index_elements=["name"],
                                              set_={"seen_at": now, "started_at": started_at})
            with db.engine.begin() as conn:
                conn.execute(stmt)
                conn.execute(delete(Heartbeat).where(Heartbeat.seen_at < now - FORGET_AFTER))
        return True
    except Exception:  # the process goes on; /readyz will say the heartbeat is late
        log.warning("could not write the %s heartbeat of %s", kind, name, exc_info=True)
        return False


def add(app: Flask, counts: dict[str, int]) -> None:
    """Add to running counters (``{"task_failures:onestop.route_dossier": 1}``); errors are logged, not raised."""
    counts = {name: n for name, n in counts.items() if n}
    if not counts:
        return
    now = utcnow()
    try:
        with app.app_context(), db.engine.begin() as conn:
            for name, n in counts.items():
                stmt = _insert(db.engine, Counter).values(name=name[:200], value=n, updated_at=now)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["name"], set_={"value": Counter.__table__.c.value + n, "updated_at": now})
                conn.execute(stmt)
    except Exception:
        log.warning("could not add to the counters %s", sorted(counts), exc_info=True)


def last_seen(conn) -> dict[str, datetime | None]:
    """The latest heartbeat of any worker and of any beat."""
    seen: dict[str, datetime | None] = dict.fromkeys(KINDS)
    for kind, at in conn.execute(select(Heartbeat.kind, Heartbeat.seen_at)):
        if kind in seen and (seen[kind] is None or at > seen[kind]):
            seen[kind] = at
    return seen


def counters(conn) -> dict[str, int]:
    return dict(conn.execute(select(Counter.name, Counter.value)).all())
