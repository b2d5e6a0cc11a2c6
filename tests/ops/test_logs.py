"""One logging set-up: JSON lines on a server, readable lines on a laptop, the request id on every line
of a request (and sent back, and on the tasks it enqueues), and no ID or phone number anywhere."""
import io
import json
import logging

import pytest
from flask import template_rendered
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from onestop.core.outbox import OutboxMessage
from onestop.ops import logs
from onestop.ops.privacy import MASK, mask

ID_NUMBER, PHONE = "031090001234", "0912345678"


@pytest.fixture
def captured():
    """Our handler writing into a buffer, as ``create_app`` sets it up; the previous handlers come back after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def configure(fmt: str) -> io.StringIO:
        buffer = io.StringIO()
        logs.configure(fmt, "INFO", stream=buffer)
        return buffer

    yield configure
    root.handlers[:], _ = saved[0], root.setLevel(saved[1])


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_line_of_a_request_carries_its_id_which_is_sent_back(client, captured):
    buffer = captured("json")
    seen = []

    def rendered(sender, template, context, **extra):
        logging.getLogger("onestop.test").info("rendered %s", template.name)
        seen.append(template.name)

    with template_rendered.connected_to(rendered):
        response = client.get("/login")
    assert response.status_code == 200 and seen
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    entries = [e for e in lines(buffer) if e["logger"] in ("onestop.test", "onestop.request")]
    assert [e["logger"] for e in entries][-1] == "onestop.request" and len(entries) >= 2
    assert {e["request_id"] for e in entries} == {request_id}
    last = entries[-1]
    assert last["message"].startswith("GET /login 200 ") and last["status"] == 200 and last["endpoint"] == "auth.login"
    assert {"time", "level", "process"} <= set(last)

    again = client.get("/login")
    assert again.headers["X-Request-ID"] != request_id


def test_a_callers_request_id_is_kept_and_a_malformed_one_replaced(client, captured):
    captured("json")
    assert client.get("/login", headers={"X-Request-ID": "lb-7f3a9c0e.42"}).headers["X-Request-ID"] == "lb-7f3a9c0e.42"
    for bad in ("short", "has space inside it", "x" * 65, "semi;colon-id-0001", "quote\"d-request-01"):
        kept = client.get("/login", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert kept != bad and len(kept) == 32


def test_the_readable_format_has_the_time_level_id_and_logger(client, captured):
    buffer = captured("text")
    response = client.get("/login")
    line = [ln for ln in buffer.getvalue().splitlines() if "onestop.request" in ln][-1]
    assert f"INFO    [{response.headers['X-Request-ID']}] onestop.request: GET /login 200" in line
    logging.getLogger("onestop.test").warning("outside a request")
    assert "WARNING [-] onestop.test: outside a request" in buffer.getvalue()


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_id_and_phone_numbers_are_masked_in_messages_extras_and_tracebacks(captured, fmt):
    buffer = captured(fmt)
    log = logging.getLogger("onestop.test")
    log.info("applicant %s called from %s and +84 912-345-678", ID_NUMBER, PHONE, extra={"note": f"CCCD {ID_NUMBER}"})
    try:
        raise ValueError(f"duplicate applicant_id_number {ID_NUMBER} (phone 0912.345.678)")
    except ValueError:
        log.exception("could not save dossier HB-261216-0001")
    out = buffer.getvalue()
    for secret in (ID_NUMBER, PHONE, "912-345-678", "0912.345.678"):
        assert secret not in out
    assert out.count(MASK) >= 5
    assert "HB-261216-0001" in out and "ValueError: duplicate applicant_id_number ***" in out
    if fmt == "json":
        first, second = lines(buffer)
        assert first["note"] == "CCCD ***" and "ValueError" in second["exception"]


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=20),
       st.integers(min_value=10 ** 8, max_value=10 ** 12 - 1), st.text(alphabet=st.characters(blacklist_categories=["Nd"]),
                                                                       max_size=20))
def test_any_run_of_nine_to_twelve_digits_is_masked(before, number, after):
    digits = str(number)
    masked = mask(f"{before} {digits} {after}")
    assert digits not in masked and MASK in masked


@pytest.mark.parametrize("kept", ["HB-261216-0001", "2026-12-16 10:00:00", "12.5 ms", "id=42", "10.0.0.1",
                                  "TT-261216-A1B2C3", "0.5 s", "succeeded in 0.0421863729998222s"])
def test_codes_dates_and_small_numbers_are_kept(kept):
    assert mask(f"x {kept} y") == f"x {kept} y"


def test_the_outbox_message_a_request_writes_carries_the_request_id(client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    response = client.post(f"/dossiers/{dossier.id}/action", data={"action": "forward"},
                           headers={"X-Request-ID": "desk-request-000123"})
    assert response.status_code == 302
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.payload["dossier_id"] == dossier.id and message.request_id == "desk-request-000123"
