"""The Celery side of operations: logging, the request id of each task, heartbeats, counters.

``install(app, celery_app)`` runs from ``ops.init_app``, so the worker and beat (which build the app
through ``worker/app.py``) get it without a line in ``worker/``:

* Celery's own logging set-up is replaced by ours (``setup_logging`` answered);
* a task runs with the request id the outbox sent in its message header (or its own task id), so its
  log lines and the tasks it enqueues carry it;
* each worker writes a heartbeat (under its node name, ``celery@host``) every ``ONESTOP_HEARTBEAT_SECONDS``
  from a bootstep timer, and beat (``beat@host``)
  from its scheduler's tick (``HeartbeatScheduler``);
* a task that fails for good adds to ``task_failures:<task>``, and a sweep's notifications to
  ``reminders_sent:<kind>``.
"""
import logging
import os
import socket
from datetime import datetime

from celery import Celery, bootsteps, signals
from celery.beat import PersistentScheduler
from flask import Flask

from onestop.core import request_id
from onestop.core.tasks import Task
from onestop.extensions import db
from onestop.ops import heartbeat, logs

log = logging.getLogger(__name__)
_tokens: dict[str, object] = {}
#: the process this was imported in: the worker's main process, whose pool processes are forked from it
_LOADED_IN = os.getpid()


def flask_app_of(celery_app: Celery) -> Flask | None:
    """The Flask app a Celery app was made for (``celery_init_app`` makes one per app); None for another."""
    return getattr(celery_app, "flask_app", None)


def install(app: Flask, celery_app: Celery) -> None:
    celery_app.flask_app = app
    celery_app.conf.beat_scheduler = "onestop.ops.worker:HeartbeatScheduler"
    if WorkerHeartbeat not in celery_app.steps["worker"]:
        celery_app.steps["worker"].add(WorkerHeartbeat)


@signals.setup_logging.connect
def _setup_logging(loglevel=None, **kwargs) -> None:
    """Celery calls this instead of configuring logging itself (worker and beat)."""
    from celery import current_app

    app = getattr(current_app, "flask_app", None)
    fmt = app.config["ONESTOP_LOG_FORMAT"] if app is not None else "text"
    logs.configure(fmt, logging.getLevelName(loglevel) if isinstance(loglevel, int) else (loglevel or "INFO"))


def _header(task) -> str | None:
    value = getattr(task.request, request_id.HEADER, None) or (task.request.headers or {}).get(request_id.HEADER)
    return str(value)[:64] if value else None


@signals.worker_process_init.connect
def _own_connections(**kwargs) -> None:
    """A pool process is forked from the worker's main process, whose heartbeat has by then left a
    connection in the engine's pool: left there, every pool process would take that one connection
    (one socket, one server session) and their statements would interleave, one's COMMIT ending
    another's transaction. Each starts with an empty pool of its own instead; the parent's
    connections are left open for the parent (``dispose(close=False)``)."""
    from celery import current_app

    app = flask_app_of(current_app)
    if app is None or os.getpid() == _LOADED_IN:  # the solo pool runs tasks in the process itself
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


@signals.task_prerun.connect
def _bind_request_id(task_id=None, task=None, **kwargs) -> None:
    _tokens[task_id] = request_id.current.set(_header(task) or task_id)


@signals.task_postrun.connect
def _unbind_request_id(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id.current.reset(token)


@signals.task_failure.connect
def _count_failure(sender=None, **kwargs) -> None:
    app = flask_app_of(sender.app)
    if app is not None:
        heartbeat.add(app, {f"task_failures:{sender.name}": 1})


@signals.task_success.connect
def _count_reminders(sender=None, result=None, **kwargs) -> None:
    app = flask_app_of(sender.app)
    if app is not None and sender.name == Task.SWEEP_DEADLINES and isinstance(result, dict):
        heartbeat.add(app, {f"reminders_sent:{kind}": n for kind, n in result.items() if isinstance(n, int)})


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A timer in the worker's main process that writes the heartbeat of the worker's node name."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.tref = None
        self.started_at: datetime | None = None

    def start(self, worker) -> None:
        app = flask_app_of(worker.app)
        self.started_at = heartbeat.utcnow()
        name = worker.hostname  # ``celery@host`` or the ``-n`` given
        heartbeat.beat(app, "worker", name, self.started_at)
        self.tref = worker.timer.call_repeatedly(
            app.config["ONESTOP_HEARTBEAT_SECONDS"], heartbeat.beat, (app, "worker", name, self.started_at),
            priority=10)

    def stop(self, worker) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler, writing ``beat@<hostname>``'s heartbeat at least every ``ONESTOP_HEARTBEAT_SECONDS``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.flask_app = flask_app_of(self.app)
        self.interval = self.flask_app.config["ONESTOP_HEARTBEAT_SECONDS"]
        self.heartbeat_name = f"beat@{socket.gethostname()}"
        self.started_at = heartbeat.utcnow()
        self.next_heartbeat = 0.0

    def tick(self, *args, **kwargs) -> float:
        import time

        delay = super().tick(*args, **kwargs)
        now = time.monotonic()
        if now >= self.next_heartbeat:
            heartbeat.beat(self.flask_app, "beat", self.heartbeat_name, self.started_at)
            self.next_heartbeat = now + self.interval
        return min(delay, max(self.next_heartbeat - now, 0.1))
