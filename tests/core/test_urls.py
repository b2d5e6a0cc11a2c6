"""Redirect targets named by a request stay on the site."""
import pytest

from onestop.core.urls import safe_target


@pytest.mark.parametrize("target", [
    "https://evil.example/phish", "//evil.example", "/\\evil.example", "/\t/evil.example", "\t//evil.example",
    "/%09/evil.example\r\nSet-Cookie: x=1", "javascript:alert(1)", "evil.example", "", None, "/a\x00b",
    "http:/evil.example", "///evil.example",
])
def test_off_site_targets_fall_back(target):
    assert safe_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/inbox", "/dossiers/12?tab=mine", "/tra-cuu/?code=HB-1#x"])
def test_paths_of_the_site_are_kept(target):
    assert safe_target(target, "/home") == target


def test_login_next_and_notifications_and_language_stay_on_the_site(client, login_as, db):
    assert client.post("/login?next=/%09/evil.example", data={"username": "hb.clerk", "password": "demo1234"}
                       ).headers["Location"] == "/desk/"
    login_as("hb.clerk")
    answer = client.post("/notifications/read", data={"next": "https://evil.example/phish"})
    assert answer.headers["Location"] == "/notifications/"
    answer = client.get("/lang/en", headers={"Referer": "https://evil.example/x"})
    assert answer.headers["Location"] == "/"
    answer = client.get("/lang/vi", headers={"Referer": "http://localhost/inbox?tab=due_soon"})
    assert answer.headers["Location"] == "/inbox?tab=due_soon"
