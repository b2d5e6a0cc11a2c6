"""``/metrics`` for Prometheus: request counts and latencies by endpoint, and the domain's gauges.

Under gunicorn each worker process counts its own requests; with ``PROMETHEUS_MULTIPROC_DIR`` set
(``ops/gunicorn.py`` sets it) prometheus-client keeps the counts in files there and the scrape adds up
every process's, whichever worker answers. The domain's gauges are not counted in a process at all:
they are read from the database when scraped (``ops/gauges.py``), so every process answers the same.

The endpoint is open to the addresses of ``ONESTOP_METRICS_ALLOW`` (default: this machine only) and
to a request carrying ``Authorization: Bearer <ONESTOP_METRICS_TOKEN>`` when a token is set.
"""
import hmac
import ipaddress
import os

from flask import current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

disable_created_metrics()  # the ``*_created`` series say when a process first counted: noise here

REQUESTS = Counter("onestop_http_requests", "HTTP requests answered, by endpoint, method and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("onestop_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint",
                    ["endpoint", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def observe(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, method, str(status)).inc()
    LATENCY.labels(endpoint, method).observe(seconds)


def multiprocess_dir() -> str | None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return path if path and os.path.isdir(path) else None


class _Chain:
    def __init__(self, *collectors) -> None:
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def exposition(domain) -> bytes:
    """The text Prometheus reads: this process's (or every process's) request metrics, then ``domain``."""
    path = multiprocess_dir()
    process = MultiProcessCollector(None, path=path) if path else REGISTRY
    return generate_latest(_Chain(process, domain))


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # ``onestop doctor`` names the bad entry
    return networks


def allowed() -> bool:
    token = current_app.config["ONESTOP_METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _networks(current_app.config["ONESTOP_METRICS_ALLOW"]))


CONTENT_TYPE = CONTENT_TYPE_LATEST
