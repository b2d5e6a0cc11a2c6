import pytest


@pytest.mark.parametrize("username, home", [
    ("hb.clerk", "/desk/"), ("hb.officer", "/inbox"), ("hp.supervisor", "/reports/overdue"),
    ("admin", "/reports/overdue"),
])
def test_each_role_lands_on_its_home(client, username, home):
    password = "admin1234" if username == "admin" else "demo1234"
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302 and response.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_wrong_password_is_refused(client):
    response = client.post("/login", data={"username": "hb.clerk", "password": "nope"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_open_redirect_is_ignored(client):
    response = client.post("/login?next=//evil.example/", data={"username": "hb.clerk", "password": "demo1234"})
    assert response.headers["Location"] == "/desk/"


def test_csrf_is_enforced_when_enabled(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": "hb.clerk", "password": "demo1234"})
        assert response.status_code == 400
        assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_logout(client, login_as):
    login_as("hb.clerk")
    client.post("/logout")
    assert client.get("/desk/").status_code == 302
