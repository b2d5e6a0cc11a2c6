"""What ``/readyz`` checks: whether this instance can do its work.

``/readyz`` runs its checks side by side, each in a thread given ``ONESTOP_READY_TIMEOUT`` seconds:
a database or a broker that does not answer makes that check fail, never the probe hang. Each check
says ``ok``, how long it took and, in a few plain words, what it found; nothing in it is about a
person, and no address, password or path is shown. Any failed check makes the answer 503.

* ``database``: a query answers, and the schema is at the migration head of this code;
* ``broker``: the broker answers a ping, or (when it does not) the outbox relay keeps up: the oldest
  unsent message is younger than ``ONESTOP_READY_OUTBOX_MAX_AGE``, so nothing is waiting on it yet;
* ``worker`` / ``beat``: one of them wrote its heartbeat within ``ONESTOP_READY_HEARTBEAT_MAX_AGE``;
* ``storage``: a file can be written to (and removed from) the attachments folder.
"""
import contextlib
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, select, text

from onestop.core import clock
from onestop.core.outbox import OutboxMessage
from onestop.extensions import db
from onestop.ops import heartbeat
from onestop.ops.database import reading
from onestop.ops.privacy import mask

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


class CheckFailed(Exception):
    """A check's finding, in plain words."""


def _executor() -> ThreadPoolExecutor:
    """One small pool per process (a gunicorn worker forked after import makes its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=8, thread_name_prefix="onestop-ready"))
        return _pool[1]


def migration_heads(app: Flask) -> set[str]:
    heads = app.extensions.get("onestop_migration_heads")
    if heads is None:
        script = ScriptDirectory(app.extensions["migrate"].directory)
        heads = app.extensions["onestop_migration_heads"] = set(script.get_heads())
    return heads


def check_database(app: Flask) -> str:
    with reading(db.engine) as conn:
        conn.execute(text("SELECT 1"))
        try:
            at = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except Exception as exc:
            raise CheckFailed("the schema has no migration version: run `flask --app onestop db upgrade`") from exc
    heads = migration_heads(app)
    if at != heads:
        raise CheckFailed(f"schema at {', '.join(sorted(at)) or 'nothing'}, this code needs {', '.join(sorted(heads))}: "
                          "run `flask --app onestop db upgrade`")
    return f"reachable, schema at {', '.join(sorted(at))}"


def ping_broker(app: Flask) -> str:
    url = app.config["CELERY"]["broker_url"]
    timeout = min(app.config["ONESTOP_READY_TIMEOUT"], 1.0)
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return "redis answers"
    if url.startswith("filesystem://"):
        folder = Path(app.config["CELERY"]["broker_transport_options"]["data_folder_in"])
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise CheckFailed("the broker's folder is missing or not writable")
        return "broker folder writable"
    from kombu import Connection

    with Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
    return "broker answers"


def outbox_age(app: Flask) -> tuple[float, int]:
    """Seconds the oldest unsent outbox message has waited (0 when there is none), and how many wait."""
    with reading(db.engine) as conn:
        oldest = conn.execute(select(OutboxMessage.created_at).where(OutboxMessage.sent_at.is_(None))
                              .order_by(OutboxMessage.id).limit(1)).scalar()
        unsent = conn.execute(select(func.count()).where(OutboxMessage.sent_at.is_(None))).scalar_one() if oldest else 0
    return (max((clock.now() - oldest).total_seconds(), 0.0), unsent) if oldest else (0.0, 0)


def check_broker(app: Flask) -> str:
    try:
        return ping_broker(app)
    except Exception as exc:
        reason = exc if isinstance(exc, CheckFailed) else "no answer from the broker"
        age, unsent = outbox_age(app)
        limit = app.config["ONESTOP_READY_OUTBOX_MAX_AGE"]
        if age <= limit:
            return f"{reason}; the outbox keeps up ({unsent} unsent, oldest {age:.0f} s)"
        raise CheckFailed(f"{reason}, and the oldest of {unsent} unsent outbox messages waits since {age:.0f} s "
                          f"(more than {limit:.0f} s)") from exc


def check_heartbeat(app: Flask, kind: str) -> str:
    with reading(db.engine) as conn:
        at = heartbeat.last_seen(conn)[kind]
    limit = app.config["ONESTOP_READY_HEARTBEAT_MAX_AGE"]
    if at is None:
        raise CheckFailed(f"no {kind} has ever written a heartbeat: is `celery -A worker.app {kind}` running?")
    age = (heartbeat.utcnow() - at).total_seconds()
    if age > limit:
        raise CheckFailed(f"the last {kind} heartbeat is {age:.0f} s old (more than {limit:.0f} s): "
                          f"is `celery -A worker.app {kind}` running?")
    return f"seen {max(age, 0):.0f} s ago"


def check_storage(app: Flask) -> str:
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    probe = folder / f".readyz-{secrets.token_hex(8)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as fh:
            fh.write(b"ok")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
        raise CheckFailed("the attachments folder cannot be written to") from exc
    try:
        probe.unlink()
    except OSError as exc:
        raise CheckFailed("a file written to the attachments folder cannot be removed") from exc
    return "attachments folder writable"


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "worker": lambda app: check_heartbeat(app, "worker"),
    "beat": lambda app: check_heartbeat(app, "beat"),
    "storage": check_storage,
}


def _timed(app: Flask, check) -> dict:
    started = time.perf_counter()
    try:
        with app.app_context():
            detail, ok = check(app), True
    except CheckFailed as exc:
        detail, ok = str(exc), False
    except Exception as exc:  # an error of the thing checked: its kind, never its text (it may name hosts or paths)
        detail, ok = f"failed ({type(exc).__name__})", False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), "detail": mask(detail)}


def run_checks(app: Flask, names=None) -> dict[str, dict]:
    timeout = app.config["ONESTOP_READY_TIMEOUT"]
    futures = {name: _executor().submit(_timed, app, CHECKS[name]) for name in (names or CHECKS)}
    deadline = time.monotonic() + timeout
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(deadline - time.monotonic(), 0))
        except FutureTimeout:
            results[name] = {"ok": False, "ms": round(timeout * 1000, 1),
                             "detail": f"no answer within {timeout:g} s"}
    return results
