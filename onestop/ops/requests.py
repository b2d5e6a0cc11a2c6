"""Each request's id and its one log line.

The id is the caller's ``X-Request-ID`` when it looks like one (a proxy or a load balancer that sets
it keeps its id across systems), otherwise a new random one; it is sent back in the same header, put
on every log line of the request and on each outbox message the request writes (``core/outbox.py``).
The line for a request says method, path (never the query string, where a look-up's numbers could be),
status and time; probes of ``/healthz``, ``/readyz`` and ``/metrics`` are logged at DEBUG only.
"""
import logging
import re
import time
import uuid

from flask import Flask, g, request

from onestop.core import request_id
from onestop.ops import metrics

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,64}")
QUIET_ENDPOINTS = {"ops.healthz", "ops.readyz", "ops.metrics_view", "static"}
log = logging.getLogger("onestop.request")


def _incoming() -> str | None:
    value = request.headers.get(HEADER, "")
    return value if _ACCEPTED.fullmatch(value) else None


def init_app(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.onestop_request_started = time.perf_counter()
        g.onestop_request_id = _incoming() or uuid.uuid4().hex
        g.onestop_request_token = request_id.current.set(g.onestop_request_id)

    @app.after_request
    def finish(response):
        rid = g.get("onestop_request_id")
        if rid is None:  # a request that failed before ``start`` ran
            return response
        response.headers[HEADER] = rid
        seconds = time.perf_counter() - g.onestop_request_started
        endpoint = request.endpoint or "unmatched"
        metrics.observe(endpoint, request.method, response.status_code, seconds)
        log.log(logging.DEBUG if endpoint in QUIET_ENDPOINTS else logging.INFO,
                "%s %s %s %.1f ms", request.method, request.path, response.status_code, seconds * 1000,
                extra={"endpoint": endpoint, "status": response.status_code,
                       "duration_ms": round(seconds * 1000, 1)})
        return response

    @app.teardown_request
    def forget(exc) -> None:
        token = g.pop("onestop_request_token", None)
        if token is not None:
            try:
                request_id.current.reset(token)
            except ValueError:  # set in another context (an async view): just clear it
                request_id.current.set(None)
