"""``/metrics``: request counts and latencies by endpoint, the domain's gauges (counted at scrape time or
kept a short while), open only to the allowed addresses or a token, summed over gunicorn's workers."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, select

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.dossiers.operations import perform_action
from onestop.ops import heartbeat
from onestop.ops.models import Counter, Heartbeat
from tests.conftest import vn

ROOT = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(client, **kwargs) -> dict[tuple, float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=")
    return samples(response.get_data(as_text=True))


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def fresh_counts(app, committed):
    """The per-process dossier counts forgotten, and the operations rows (counters a worker of an
    earlier test wrote too) removed before and after."""
    app.extensions.pop("onestop_dossier_counts", None)
    for model in (Counter, Heartbeat):
        committed.session.execute(delete(model))
    committed.session.commit()
    yield committed
    app.extensions.pop("onestop_dossier_counts", None)
    committed.session.rollback()
    for model in (Counter, Heartbeat):
        committed.session.execute(delete(model))
    committed.session.commit()


def test_requests_are_counted_and_timed_by_endpoint(app):
    client = app.test_client()
    before = scrape(client)
    for _ in range(3):
        client.get("/login")
    client.get("/no-such-page")
    after = scrape(client)
    labels = {"endpoint": "auth.login", "method": "GET"}
    assert value(after, "onestop_http_requests_total", status="200", **labels) - \
        value(before, "onestop_http_requests_total", status="200", **labels) == 3
    assert value(after, "onestop_http_request_duration_seconds_count", **labels) - \
        value(before, "onestop_http_request_duration_seconds_count", **labels) == 3
    assert value(after, "onestop_http_requests_total", endpoint="unmatched", method="GET", status="404") >= 1


def test_domain_gauges_count_open_overdue_waiting_and_the_outbox(app, fresh_counts, create_dossier):
    db = fresh_counts

    def user(name):
        return db.session.scalar(select(User).where(User.username == name))

    client = app.test_client()
    base = scrape(client)
    with clock.frozen(clock.now() - timedelta(seconds=90)):  # a message the relay has not sent for 90 s
        enqueue(Task.ROUTE_DOSSIER, dossier_id=0, step_seq=1)
        db.session.commit()
    with clock.frozen(vn(2025, 1, 6, 9, 0)):  # long ago: overdue now
        create_dossier()
    create_dossier()
    waiting = create_dossier()
    perform_action(waiting, user("hb.clerk"), "forward")
    perform_action(waiting, user("hb.officer"), "request_supplement", note="Thiếu trích đo")
    db.session.commit()
    heartbeat.add(app, {"reminders_sent:overdue": 4, "task_failures:onestop.route_dossier": 1})
    heartbeat.add(app, {"reminders_sent:overdue": 1})
    heartbeat.beat(app, "worker", "worker@test-host", heartbeat.utcnow())
    app.extensions.pop("onestop_dossier_counts", None)
    now = scrape(client)

    def grew(name, **labels):
        return value(now, name, **labels) - value(base, name, **labels)

    assert grew("onestop_dossiers_open", status="processing") == 2
    assert grew("onestop_dossiers_open", status="supplement") == 1
    assert grew("onestop_dossiers_overdue") == 1
    assert grew("onestop_outbox_unsent") >= 2  # and the forward's
    assert 90 <= value(now, "onestop_outbox_lag_seconds") < 150
    assert value(now, "onestop_reminders_sent_total", kind="overdue") == 5
    assert value(now, "onestop_task_failures_total", task="onestop.route_dossier") == 1
    assert 0 <= value(now, "onestop_heartbeat_age_seconds", process="worker") < 60
    assert ("onestop_heartbeat_age_seconds", (("process", "beat"),)) not in now


def test_dossier_counts_are_kept_a_while_then_recounted_in_the_background(app, fresh_counts, create_dossier):
    client = app.test_client()
    first = value(scrape(client), "onestop_dossiers_open", status="processing")
    create_dossier()
    assert value(scrape(client), "onestop_dossiers_open", status="processing") == first  # kept
    app.config["ONESTOP_METRICS_CACHE_SECONDS"] = 0.0
    try:
        stale = scrape(client)  # answers at once with the kept counts, recounts behind
        assert value(stale, "onestop_dossiers_open", status="processing") == first
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if value(scrape(client), "onestop_dossiers_open", status="processing") == first + 1:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the counts were never recounted")
    finally:
        app.config["ONESTOP_METRICS_CACHE_SECONDS"] = 30.0


@pytest.mark.parametrize("address, headers, allow, token, status", [
    ("127.0.0.1", {}, ("127.0.0.1", "::1"), "", 200),
    ("10.0.0.5", {}, ("127.0.0.1", "::1"), "", 403),
    ("10.0.0.5", {}, ("10.0.0.0/24",), "", 200),
    ("10.0.0.5", {"Authorization": "Bearer s3cret-scraper-token"}, (), "s3cret-scraper-token", 200),
    ("10.0.0.5", {"Authorization": "Bearer wrong"}, (), "s3cret-scraper-token", 403),
    ("10.0.0.5", {"Authorization": "Bearer "}, (), "", 403),
])
def test_metrics_are_open_to_the_allowed_addresses_or_the_token(app, monkeypatch, address, headers, allow, token, status):
    monkeypatch.setitem(app.config, "ONESTOP_METRICS_ALLOW", allow)
    monkeypatch.setitem(app.config, "ONESTOP_METRICS_TOKEN", token)
    response = app.test_client().get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == status
    if status == 403:
        assert "ONESTOP_METRICS_ALLOW" in response.json["error"]["message"]
        assert b"onestop_dossiers_open" not in response.data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> urllib.request.http.client.HTTPResponse:
    return urllib.request.urlopen(urllib.request.Request(url, headers={"Connection": "close"}), timeout=10)


def test_gunicorns_workers_are_summed_in_one_scrape(app, tmp_path):
    """Two real gunicorn workers with the project's settings: every request counted, whichever worker
    answered it and whichever answers the scrape."""
    port, folder = _free_port(), tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "ONESTOP_INSTANCE_PATH": str(tmp_path / "instance"),
           "ONESTOP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "ONESTOP_LOG_FORMAT": "text"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:onestop.ops.gunicorn", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--no-control-socket", "onestop:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answered, ids = time.monotonic() + 60, 0, set()
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/healthz").read()
                answered += 1
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        while answered < 41 or (len(list(folder.glob("counter_*.db"))) < 2 and time.monotonic() < deadline):
            with _get(f"http://127.0.0.1:{port}/healthz") as response:  # until both workers have answered some
                ids.add(response.headers["X-Request-ID"])
            answered += 1
        assert len(list(folder.glob("counter_*.db"))) == 2 and len(ids) == answered - 1
        for _ in range(4):  # each scrape, whichever worker answers it, counts every request so far
            found = samples(_get(f"http://127.0.0.1:{port}/metrics").read().decode())
            assert value(found, "onestop_http_requests_total", endpoint="ops.healthz", method="GET",
                         status="200") == answered
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "gunicorn.error: Booting worker with pid" in output
