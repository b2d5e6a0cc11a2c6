"""The API's rate limit: one budget per client for all its calls (Flask-Limiter).

Counted in the broker's Redis in server mode, so every web process and machine shares the count;
in the embedded mode (no server at all) in each web process's memory: with gunicorn's two workers a
client may make up to twice the limit, which that mode (one office, one machine) can afford, and it
keeps a write to SQLite off every call. Calls without a usable token are counted per address.
``ONESTOP_API_RATE_LIMIT`` is read at each call, so it can be changed without a restart of the code.
"""
from flask import Flask, current_app, request
from flask_limiter import Limiter

from onestop.api.auth import authenticated_client


def _key() -> str:
    """The client, with its token's first characters: a count never carries over to another client
    that reuses a number (SQLite gives a rolled-back id again; Redis outlives a test database)."""
    client = authenticated_client()
    if client is None:
        return f"address:{request.remote_addr or 'unknown'}"
    return f"client:{client.id}:{client.token_hint}"


#: no X-RateLimit-* headers: each would cost two more round trips to Redis per call
limiter = Limiter(key_func=_key, swallow_errors=True, headers_enabled=False, key_prefix="onestop-api")


def api_limit():
    """The shared limit, to decorate each API blueprint with."""
    return limiter.shared_limit(lambda: current_app.config["ONESTOP_API_RATE_LIMIT"], scope="api")


def init_app(app: Flask) -> None:
    broker = app.config["CELERY"].get("broker_url", "")
    app.config.setdefault("RATELIMIT_STORAGE_URI", broker if broker.startswith(("redis://", "rediss://")) else "memory://")
    limiter.init_app(app)
