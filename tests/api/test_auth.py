"""Clients and tokens: a token works until it expires or is revoked, only its hash is kept, scopes
are checked, every call is in the audit trail, the errors are problem details in the caller's language."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from onestop.api.auth import hash_token
from onestop.api.clients import reissue_token, revoke_client
from onestop.api.models import ApiClient
from onestop.core import clock
from onestop.core.audit import AuditEntry
from tests.api.helpers import auth, make_client

PROBLEM = "application/problem+json"


def test_a_token_is_kept_only_as_its_hash_and_opens_the_catalogue(client, db):
    api_client, token = make_client(scopes=["catalogue:read"])
    row = db.session.get(ApiClient, api_client.id)
    assert token.startswith("ost_") and len(token) > 40
    assert row.token_hash == hash_token(token) and token not in (row.token_hash, row.token_hint)
    assert not row.account.active  # its account never logs in and is never given work
    answer = client.get("/api/v1/procedures", headers=auth(token))
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert {"1.001193", "HP-DD-01T"} <= {p["code"] for p in answer.json["items"]}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ost_wrong", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500,
                                    "Bearer \u00e9\u00e8"])
def test_no_usable_token_is_a_401_problem(client, db, header):
    headers = {"Authorization": header} if header else {}
    answer = client.get("/api/v1/procedures", headers=headers)
    assert answer.status_code == 401 and answer.mimetype == PROBLEM
    assert answer.json["code"] == "unauthorized" and answer.json["status"] == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_revoked_or_replaced_token_stops_working(client, db):
    api_client, token = make_client(days=1)
    assert client.get("/api/v1/procedures", headers=auth(token)).status_code == 200
    with clock.frozen(clock.now() + timedelta(days=2)):
        assert client.get("/api/v1/procedures", headers=auth(token)).status_code == 401
    new = reissue_token(api_client, expires_at=None, admin=None)
    db.session.commit()
    assert client.get("/api/v1/procedures", headers=auth(token)).status_code == 401
    assert client.get("/api/v1/procedures", headers=auth(new)).status_code == 200
    revoke_client(api_client, admin=None)
    db.session.commit()
    assert client.get("/api/v1/procedures", headers=auth(new)).status_code == 401


def test_a_missing_scope_is_a_403_problem_naming_it(client, db):
    _, token = make_client(scopes=["dossiers:read"])
    answer = client.get("/api/v1/procedures", headers=auth(token))
    assert answer.status_code == 403 and answer.json["code"] == "missing_scope"
    assert "catalogue:read" in answer.json["detail"]


def test_every_call_is_in_the_audit_trail_with_the_client(client, db):
    api_client, token = make_client()
    client.get("/api/v1/procedures/1.001193", headers=auth(token))
    client.get("/api/v1/procedures/NOPE", headers=auth(token))
    client.get("/api/v1/procedures", headers={"Authorization": "Bearer nope"})
    lines = db.session.execute(select(AuditEntry.kind, AuditEntry.actor_label, AuditEntry.target, AuditEntry.note)
                               .where(AuditEntry.kind.like("api.%"), AuditEntry.kind != "api.client_create")
                               .order_by(AuditEntry.id)).all()
    assert lines[-3:] == [
        ("api.call", f"client:{api_client.id}", "procedure:1.001193", "GET /api/v1/procedures/1.001193 200"),
        ("api.call", f"client:{api_client.id}", None, "GET /api/v1/procedures/NOPE 404"),
        ("api.unauthorized", None, None, "GET /api/v1/procedures 401"),
    ]


def test_problems_speak_the_language_asked_for(client, db):
    _, token = make_client(scopes=["catalogue:read"])
    vi = client.get("/api/v1/procedures/NOPE", headers=auth(token))
    en = client.get("/api/v1/procedures/NOPE", headers=auth(token, **{"Accept-Language": "en-GB,en;q=0.8"}))
    assert vi.json["code"] == en.json["code"] == "not_found"
    assert vi.json["detail"] == "Không tìm thấy." and en.json["detail"] == "Not found."


def test_unknown_paths_and_methods_under_the_api_answer_problems(client, db):
    _, token = make_client()
    missing = client.get("/api/v1/nothing/here", headers=auth(token))
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = client.delete("/api/v1/procedures", headers=auth(token))
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM


def test_the_rate_limit_answers_a_429_problem_per_client(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_API_RATE_LIMIT", "3/minute")
    _, first = make_client(name="Một")
    _, second = make_client(name="Hai")
    answers = [client.get("/api/v1/procedures", headers=auth(first)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/procedures", headers=auth(first))
    assert limited.mimetype == PROBLEM and limited.json["code"] == "rate_limited" and "Retry-After" in limited.headers
    assert client.get("/api/v1/procedures", headers=auth(second)).status_code == 200  # its own budget
