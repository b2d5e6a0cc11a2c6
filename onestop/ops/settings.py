"""The operator's settings (``ONESTOP_*`` environment variables), added to ``app.config`` by ``ops.init_app``.

They are set with ``setdefault`` so that ``create_app(config_override)`` (the tests) wins. The database
decides the default log format: JSON lines on a server, readable lines on a laptop (SQLite).
"""
import os
from collections.abc import Mapping

from flask import Flask


def _float(name: str, default: str) -> float:
    return float(os.environ.get(name, default))


def defaults(config: Mapping) -> dict:
    env = os.environ.get
    embedded = str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    return {
        #: ``json`` (one JSON object a line, for a log collector) or ``text`` (for a person)
        "ONESTOP_LOG_FORMAT": env("ONESTOP_LOG_FORMAT", "text" if embedded else "json"),
        "ONESTOP_LOG_LEVEL": env("ONESTOP_LOG_LEVEL", "INFO"),
        #: errors go to Sentry (or a compatible service) when set; nothing is sent otherwise
        "ONESTOP_SENTRY_DSN": env("ONESTOP_SENTRY_DSN", ""),
        "ONESTOP_SENTRY_ENVIRONMENT": env("ONESTOP_SENTRY_ENVIRONMENT", "production"),
        #: ``/metrics``: a bearer token that opens it, and the addresses (or networks) it is open to
        "ONESTOP_METRICS_TOKEN": env("ONESTOP_METRICS_TOKEN", ""),
        "ONESTOP_METRICS_ALLOW": tuple(a.strip() for a in env("ONESTOP_METRICS_ALLOW", "127.0.0.1,::1").split(",")
                                       if a.strip()),
        #: the dossier counts of ``/metrics`` are recomputed (in the background) when older than this
        "ONESTOP_METRICS_CACHE_SECONDS": _float("ONESTOP_METRICS_CACHE_SECONDS", "30"),
        #: the worker and beat write their heartbeat this often; ``/readyz`` fails when one is older
        #: than ``ONESTOP_READY_HEARTBEAT_MAX_AGE``
        "ONESTOP_HEARTBEAT_SECONDS": _float("ONESTOP_HEARTBEAT_SECONDS", "30"),
        "ONESTOP_READY_HEARTBEAT_MAX_AGE": _float("ONESTOP_READY_HEARTBEAT_MAX_AGE", "120"),
        #: ``/readyz`` accepts a broker it cannot reach while the oldest unsent outbox message is younger
        "ONESTOP_READY_OUTBOX_MAX_AGE": _float("ONESTOP_READY_OUTBOX_MAX_AGE", "120"),
        #: the longest a single check of ``/readyz`` may take before it counts as failed
        "ONESTOP_READY_TIMEOUT": _float("ONESTOP_READY_TIMEOUT", "2"),
    }


def apply(app: Flask) -> None:
    for key, value in defaults(app.config).items():
        app.config.setdefault(key, value)
