"""Browser tests: the session ``app`` served by a real HTTP server and driven by headless Chromium.

``live_server`` turns CSRF protection on for the duration of each test (the session app is built
with it off for the test client), so every form a browser test submits proves its token works.
It also pulls in ``committed``: the server thread uses its own database connections, so the test's
data must be committed to be seen, and the dossiers are deleted afterwards.

``browser_page`` is a page in a fresh context of a Chromium shared by the module; ``new_page``
opens further isolated contexts (a second user). At the end of each test a full-page screenshot of
every page still open is written to ``test-artifacts/e2e/<test name>-<N>.png``, pass or fail.
"""
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
DEMO_PASSWORD = "demo1234"

playwright_sync.expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class LiveServer:
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def _live_server_url(app):
    """One threaded werkzeug server for the whole session, on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app, committed, _live_server_url):
    """The running server, with CSRF protection on until the test ends."""
    previous = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield LiveServer(_live_server_url)
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class Dialogs:
    """The confirmations a page asked: each is recorded and accepted, unless the test has set
    ``dismiss_next`` (a confirmation answered "no")."""

    def __init__(self, page):
        self.messages: list[str] = []
        self.dismiss_next = False
        page.on("dialog", self._answer)

    def _answer(self, dialog) -> None:
        self.messages.append(dialog.message)
        if self.dismiss_next:
            self.dismiss_next = False
            dialog.dismiss()
        else:
            dialog.accept()


DIALOGS: dict = {}


@pytest.fixture
def dialogs():
    """``dialogs(page)``: the ``Dialogs`` of a page opened by ``new_page``."""
    return DIALOGS.__getitem__


@pytest.fixture
def new_page(request, browser, live_server):
    """Open a page in a new, isolated browser context (own cookies) pointed at the live server.

    Confirmations (``data-confirm`` buttons) are accepted, as a user who means it would."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="vi-VN",
                                      timezone_id="Asia/Ho_Chi_Minh",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        DIALOGS[page] = Dialogs(page)
        return page

    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    try:
        yield open_page
    finally:
        number = 0
        for context in contexts:
            for page in context.pages:
                number += 1
                try:
                    # a request still in flight when the test's data are rolled back would fail on the server
                    page.wait_for_load_state("networkidle", timeout=5000)
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
                except playwright_sync.Error as exc:
                    print(f"screenshot {name}-{number} failed: {exc}", file=sys.stderr)
                DIALOGS.pop(page, None)
            context.close()


def screenshot(page, name: str) -> None:
    """A full-page screenshot of what the page shows now, as ``test-artifacts/e2e/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def no_throttle(committed):
    """The public pages count failed look-ups and submissions per address in ``lookup_attempts``,
    and every browser comes from 127.0.0.1: start and end the test with none counted."""
    from sqlalchemy import delete

    from onestop.core.throttle import LookupAttempt

    def clear():
        committed.session.rollback()
        committed.session.execute(delete(LookupAttempt))
        committed.session.commit()
    clear()
    yield
    clear()


@pytest.fixture
def browser_page(new_page):
    return new_page()


@pytest.fixture
def login():
    """Sign in through the real login form, with the keyboard only."""
    def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/login")
        token = page.locator("form input[name=csrf_token]")
        assert token.get_attribute("value"), "the login form carries no CSRF token"
        playwright_sync.expect(page.locator("#username")).to_be_focused()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        page.keyboard.press("Enter")
        playwright_sync.expect(page).not_to_have_url(re.compile(r"/login"))
        playwright_sync.expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    return sign_in
