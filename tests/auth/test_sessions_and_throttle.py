"""Sessions the server can end, the idle time-out, the login throttle, the first-login password change."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from onestop import config
from onestop.auth.models import Role
from onestop.auth.throttle import LoginFailure, account_key
from onestop.core.audit import AuditEntry
from tests.factories import GOOD_PASSWORD, by_username, new_user, signed_in

ERROR = "Sai tên đăng nhập hoặc mật khẩu."
LOCKED = "Đăng nhập tạm khóa"


def _login(client, username, password=GOOD_PASSWORD, **environ):
    return client.post("/login", data={"username": username, "password": password}, environ_base=environ)


def _copy_session(app, client):
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_copied_before_logout_stops_working_after_it(app, db, client):
    new_user("an.officer")
    assert _login(client, "an.officer").status_code == 302
    thief = _copy_session(app, client)
    assert thief.get("/inbox").status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert thief.get("/inbox").status_code == 302  # … and not after logout
    assert client.get("/inbox").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, db, client):
    new_user("an.officer")
    _login(client, "an.officer")
    elsewhere = app.test_client()
    _login(elsewhere, "an.officer")
    new = "Hoa phượng đỏ sân trường 2026"
    answer = client.post("/password", data={"current": GOOD_PASSWORD, "new": new, "confirm": new})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert client.get("/inbox").status_code == 200
    assert elsewhere.get("/inbox").status_code == 302
    assert _login(app.test_client(), "an.officer", new).status_code == 302


def test_deactivation_ends_an_open_session_at_once(app, db, client):
    officer = new_user("an.officer")
    _login(client, "an.officer")
    assert client.get("/inbox").status_code == 200
    admin = signed_in(app, by_username("admin"))
    assert admin.post(f"/admin/staff/{officer.id}/deactivate").status_code == 302
    assert client.get("/inbox").status_code == 302
    assert _login(app.test_client(), "an.officer").status_code == 200  # refused, as a wrong password is


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(app, db, client):
    new_user("an.officer")
    for _ in range(30):
        answer = _login(client, "an.officer", "wrong password")
        assert answer.status_code in (200, 429)
    answer = _login(client, "an.officer")
    assert answer.status_code == 429 and LOCKED in answer.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302
    # from another address too: the account itself is locked
    assert _login(app.test_client(), "an.officer", REMOTE_ADDR="10.0.0.9").status_code == 429


def test_an_unknown_name_is_answered_as_a_known_one(app, db):
    known, unknown = app.test_client(), app.test_client()
    new_user("an.officer")
    for _ in range(12):
        a = _login(known, "an.officer", "wrong password", REMOTE_ADDR="10.0.0.1")
        b = _login(unknown, "no.such.user", "wrong password", REMOTE_ADDR="10.0.0.2")
        assert a.status_code == b.status_code
        assert _messages(a) == _messages(b)


def _messages(response) -> list[str]:
    import re

    return re.findall(r'<div class="error" role="alert">([^<]*)</div>', response.get_data(as_text=True))


def test_an_admin_lifts_a_lockout(app, db, client):
    new_user("an.officer")
    for _ in range(10):
        _login(client, "an.officer", "wrong password")
    assert _login(client, "an.officer").status_code == 429
    admin = signed_in(app, by_username("admin"))
    page = admin.get("/admin/staff/locks").get_data(as_text=True)
    assert account_key("an.officer") in page
    assert admin.post("/admin/staff/locks/lift", data={"key": account_key("an.officer")}).status_code == 302
    assert _login(client, "an.officer").status_code == 302
    assert db.session.scalar(select(LoginFailure).where(LoginFailure.key == account_key("an.officer"))) is None


def test_one_address_guessing_many_names_is_locked(app, db):
    app.config["ONESTOP_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 5
    try:
        new_user("an.officer")
        guesser = app.test_client()
        for n in range(5):
            _login(guesser, f"name{n}", "wrong password", REMOTE_ADDR="10.9.9.9")
        assert _login(guesser, "an.officer", REMOTE_ADDR="10.9.9.9").status_code == 429
        assert _login(app.test_client(), "an.officer", REMOTE_ADDR="10.9.9.10").status_code == 302
    finally:
        app.config["ONESTOP_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 50


def test_logins_and_failures_are_audited_with_the_address(app, db, client):
    officer = new_user("an.officer")
    _login(client, "an.officer", "wrong password", REMOTE_ADDR="10.1.2.3")
    _login(client, "an.officer", REMOTE_ADDR="10.1.2.3")
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == officer.id).order_by(AuditEntry.id)).all()
    assert [(r.kind, r.address) for r in rows] == [("auth.login_failed", "10.1.2.3"), ("auth.login", "10.1.2.3")]
    assert rows[0].actor_label == "login:an.officer" and rows[0].at is not None


def test_a_one_time_password_must_be_changed_first(app, db, client):
    new_user("new.clerk", role=Role.CLERK, must_change=True)
    answer = _login(client, "new.clerk")
    assert answer.headers["Location"] == "/password"
    assert client.get("/desk/").headers["Location"] == "/password"
    page = client.get("/password").get_data(as_text=True)
    assert 'data-testid="one-time-password-notice"' in page
    new = "Mưa phùn tháng hai ở Hải Phòng"
    assert client.post("/password", data={"current": GOOD_PASSWORD, "new": new, "confirm": new}).status_code == 302
    assert client.get("/desk/").status_code == 200


@pytest.mark.parametrize("new, message", [
    ("short1", "ít nhất 10 ký tự"),
    ("password123", "quá dễ đoán"),
    ("1234567890", "quá dễ đoán"),
    ("an.officer2024", "quá giống tên đăng nhập"),
    ("anofficer!!", "quá giống tên đăng nhập"),
    ("Hải Phòng 2024", "quá dễ đoán"),
    ("Motcua@2024", "quá dễ đoán"),
    ("qwertyuiop", "quá dễ đoán"),
])
def test_weak_passwords_are_refused_with_the_reason(db, client, new, message):
    new_user("an.officer")
    _login(client, "an.officer")
    answer = client.post("/password", data={"current": GOOD_PASSWORD, "new": new, "confirm": new})
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert _login(client, "an.officer").status_code == 302  # the old password still works


def test_the_session_cookie_is_lax_and_http_only(db, client):
    new_user("an.officer")
    answer = _login(client, "an.officer")
    cookie = answer.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie  # tests run over http


def test_cookies_are_secure_by_default_in_server_mode(monkeypatch, tmp_path):
    monkeypatch.setenv("ONESTOP_DATABASE_URL", "postgresql://db.example/onestop")
    assert config.load(tmp_path)["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("ONESTOP_SECURE_COOKIES", "0")
    assert config.load(tmp_path)["SESSION_COOKIE_SECURE"] is False
    monkeypatch.delenv("ONESTOP_DATABASE_URL")
    monkeypatch.delenv("ONESTOP_SECURE_COOKIES")
    assert config.load(tmp_path)["SESSION_COOKIE_SECURE"] is False
    assert config.load(tmp_path)["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)


def test_an_idle_session_ends(app, db, client):
    new_user("an.officer")
    _login(client, "an.officer")
    previous = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=2)
    try:
        assert client.get("/inbox").status_code == 200  # re-signed: the idle clock restarts
        time.sleep(3.1)
        assert client.get("/inbox").status_code == 302
    finally:
        app.permanent_session_lifetime = previous


def test_old_login_counters_are_purged_but_not_live_locks(app, db):
    from onestop.auth import throttle
    from onestop.core import clock
    from tests.conftest import vn

    with clock.frozen(vn(2026, 12, 1, 8, 0)):
        throttle.record_failure("user:old.one")
        for _ in range(10):
            throttle.record_failure("user:locked.one")
    with clock.frozen(vn(2026, 12, 1, 8, 20)):
        throttle.record_failure("user:fresh.one")
        assert throttle.is_locked("user:locked.one") is False  # the 15-minute lock is over
        assert throttle.purge(clock.now()) == 2
        assert db.session.get(LoginFailure, "user:fresh.one") is not None
