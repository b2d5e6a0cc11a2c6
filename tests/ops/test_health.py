"""``/healthz`` and ``/readyz``: each check's result and time, 503 when one fails, fast even when the
broker or a check does not answer, nothing personal in the answer."""
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from onestop.core import clock
from onestop.core.outbox import OutboxMessage, enqueue
from onestop.core.tasks import Task
from onestop.extensions import db as _db
from onestop.ops import health, heartbeat
from onestop.ops.models import Heartbeat


@pytest.fixture
def probe(app):
    """A client with no session (what a load balancer is), heartbeats fresh; the rows written are removed."""
    def fresh(*kinds: str) -> None:
        for kind in kinds:
            heartbeat.beat(app, kind, f"{kind}@test-host", heartbeat.utcnow())

    fresh("worker", "beat")
    with app.app_context():
        yield app.test_client(), fresh
        _db.session.rollback()
        _db.session.execute(delete(Heartbeat))
        _db.session.execute(delete(OutboxMessage))
        _db.session.commit()
        _db.session.remove()


def test_healthz_answers_without_a_login(probe):
    client, _ = probe
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_ok_when_every_check_passes_and_says_what_it_found(probe):
    client, _ = probe
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "broker", "worker", "beat", "storage"}
    for check in body["checks"].values():
        assert check["ok"] is True and isinstance(check["ms"], float) and check["detail"]
    assert body["checks"]["database"]["detail"].startswith("reachable, schema at ")
    assert re.fullmatch(r"seen \d+ s ago", body["checks"]["worker"]["detail"])
    assert response.headers["Cache-Control"] == "no-store"


def test_a_worker_not_seen_for_too_long_makes_it_503(app, probe):
    client, _ = probe
    with app.app_context():
        _db.session.execute(update(Heartbeat).where(Heartbeat.kind == "worker")
                            .values(seen_at=heartbeat.utcnow() - timedelta(minutes=10)))
        _db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["status"] == "fail"
    worker = response.json["checks"]["worker"]
    assert worker["ok"] is False
    assert "is 600 s old (more than 120 s): is `celery -A worker.app worker` running?" in worker["detail"]
    assert response.json["checks"]["beat"]["ok"] is True


def test_a_beat_that_never_ran_is_named(app, probe):
    client, _ = probe
    with app.app_context():
        _db.session.execute(delete(Heartbeat).where(Heartbeat.kind == "beat"))
        _db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["beat"]["detail"] == ("no beat has ever written a heartbeat: "
                                                         "is `celery -A worker.app beat` running?")


@pytest.fixture
def broker_down(app, monkeypatch):
    """Nothing listens on port 1: the broker neither answers nor refuses slowly."""
    monkeypatch.setitem(app.config["CELERY"], "broker_url", "redis://127.0.0.1:1/0")


def test_an_unreachable_broker_is_fine_while_the_outbox_keeps_up(probe, broker_down):
    client, _ = probe
    started = time.perf_counter()
    response = client.get("/readyz")
    assert time.perf_counter() - started < 2.5
    broker = response.json["checks"]["broker"]
    assert response.status_code == 200 and broker["ok"] is True
    assert broker["detail"] == "no answer from the broker; the outbox keeps up (0 unsent, oldest 0 s)"


def test_an_unreachable_broker_with_messages_waiting_too_long_makes_it_503(app, probe, broker_down):
    client, _ = probe
    with app.app_context():
        with clock.frozen(clock.now() - timedelta(minutes=5)):
            enqueue(Task.ROUTE_DOSSIER, dossier_id=1, step_seq=1)
            _db.session.flush()
        _db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["broker"]["detail"] == (
        "no answer from the broker, and the oldest of 1 unsent outbox messages waits since 300 s (more than 120 s)")


def test_a_schema_behind_the_code_is_told_to_upgrade(app, probe, monkeypatch):
    client, _ = probe
    monkeypatch.setitem(app.extensions, "onestop_migration_heads", {"ffffffffffff"})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["detail"].endswith(
        "this code needs ffffffffffff: run `flask --app onestop db upgrade`")


def test_an_attachments_folder_that_cannot_be_written_fails(app, probe, monkeypatch, tmp_path):
    client, _ = probe
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setitem(app.config, "ONESTOP_ATTACHMENT_DIR", str(tmp_path / "a-file" / "attachments"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["storage"] == {**response.json["checks"]["storage"], "ok": False,
                                                  "detail": "the attachments folder cannot be written to"}


def test_a_check_that_hangs_fails_after_the_timeout_and_the_answer_still_comes(app, probe, monkeypatch):
    client, _ = probe
    monkeypatch.setitem(app.config, "ONESTOP_READY_TIMEOUT", 0.5)
    monkeypatch.setitem(health.CHECKS, "storage", lambda app: time.sleep(3) or "never")
    started = time.perf_counter()
    response = client.get("/readyz")
    assert time.perf_counter() - started < 1.5
    assert response.status_code == 503
    assert response.json["checks"]["storage"] == {"ok": False, "ms": 500.0, "detail": "no answer within 0.5 s"}
    assert response.json["checks"]["database"]["ok"] is True


def test_an_error_is_named_by_its_kind_only(app, probe, monkeypatch):
    client, _ = probe

    def leaky(app):
        raise OSError("could not open /srv/onestop/secret.db for 031090001234")

    monkeypatch.setitem(health.CHECKS, "storage", leaky)
    response = client.get("/readyz")
    assert response.json["checks"]["storage"]["detail"] == "failed (OSError)"
    body = response.get_data(as_text=True)
    assert "031090001234" not in body and "/srv" not in body
    assert app.config["SQLALCHEMY_DATABASE_URI"].split("://")[1] not in body


def test_a_process_gone_for_a_week_is_forgotten(app, probe):
    with app.app_context():
        heartbeat.beat(app, "worker", "celery@old-container", heartbeat.utcnow() - timedelta(days=30))
        _db.session.execute(update(Heartbeat).where(Heartbeat.name == "celery@old-container")
                            .values(seen_at=heartbeat.utcnow() - timedelta(days=8)))
        _db.session.commit()
        heartbeat.beat(app, "worker", "worker@test-host", heartbeat.utcnow())
        names = set(_db.session.scalars(select(Heartbeat.name)))
        _db.session.rollback()
    assert names == {"worker@test-host", "beat@test-host"}
