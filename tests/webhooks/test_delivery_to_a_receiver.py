"""A real receiver on 127.0.0.1 subscribed to every kind of event, a land transfer walked through
the tax system's step to its result: each delivery arrives once, signed, in the order of the
moves, also after the receiver was down for a while."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from onestop.core import clock
from onestop.dossiers.operations import perform_action, return_result
from onestop.webhooks.models import EVENT_KINDS, DeliveryStatus, WebhookDelivery
from onestop.webhooks.signing import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.api.helpers import auth, b64, make_client
from tests.api.steps import receive_land_transfer, user, walk_to_tax
from tests.conftest import vn
from tests.webhooks.drive import retry, run_outbox
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def subscribe(client, token, url, events=EVENT_KINDS) -> dict:
    answer = client.post("/api/v1/webhooks/subscriptions", json={"url": url, "events": list(events)},
                         headers=auth(token))
    assert answer.status_code == 201, answer.json
    return answer.json


def check_signed(received, secret: str) -> list[dict]:
    """Each body verifies against its signature at the time it was sent (the test's clock is frozen),
    and not once altered, nor with another secret, nor ten minutes later."""
    bodies = []
    for headers, body in received:
        stamp, signature = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
        sent = int(stamp)
        assert verify(secret, stamp, body, signature, now=sent)
        assert not verify(secret, stamp, body + b" ", signature, now=sent)
        assert not verify(secret + "x", stamp, body, signature, now=sent)
        assert not verify(secret, stamp, body, signature, now=sent + 600)
        document = json.loads(body)
        assert str(document["id"]) == headers[ID_HEADER]
        bodies.append(document)
    return bodies


def test_every_move_arrives_once_signed_and_in_order_even_after_the_receiver_was_down(client, db, receiver):
    start = vn(2026, 12, 7, 8, 0)
    with clock.frozen(start):
        _, portal = make_client("HP", ["dossiers:read"], name="Cổng dịch vụ công")
        _, tax = make_client("HTTHUE", ["steps:act"], name="Hệ thống quản lý thuế")
        subscription = subscribe(client, portal, receiver.url)
        tax_receiver = Receiver().start()
        tax_subscription = subscribe(client, tax, tax_receiver.url, ["external_step"])
        try:
            dossier = receive_land_transfer()
            walk_to_tax(dossier)
            run_outbox()
            assert len(receiver.received) == 5  # received, 3 moves, the external step
            [(_, work_order)] = tax_receiver.received  # the tax system hears of its step only
        finally:
            tax_receiver.stop()
        work = json.loads(work_order)
        assert work["type"] == "dossier.external_step" and work["dossier"]["code"] == dossier.code
        assert {a["name"] for a in work["actions"]} == {"forward", "request_supplement", "send_back"}

        receiver.stop()  # down: connection refused from here on
        answer = client.post(f"/api/v1/steps/{dossier.code}/outcome", json={
            "action": "forward", "note": "Thông báo thuế 45/TB", "files": [{"filename": "tb.pdf", "content": b64()}]},
            headers=auth(tax, **{"Idempotency-Key": "tb-45"}))
        assert answer.status_code == 200
        perform_action(dossier, user("hbmk.clerk"), "supplement_received", note="Đã nộp thuế")
        db.session.commit()
        run_outbox()
        pending = db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription["id"], WebhookDelivery.status == DeliveryStatus.PENDING)
            .order_by(WebhookDelivery.id)).all()
        assert len(pending) == 2 and pending[0].attempts == 1 and pending[1].attempts == 0  # the head holds the queue
        assert pending[0].last_status is None and "Connection" in pending[0].last_error

    for minutes in (1, 2, 5):  # still down: each retry fails, the next one waits longer
        with clock.frozen(start + timedelta(minutes=minutes)):
            retry()
    db.session.expire_all()
    head = db.session.get(WebhookDelivery, pending[0].id)
    assert head.status == DeliveryStatus.PENDING and head.attempts == 4
    assert head.next_attempt_at - (start + timedelta(minutes=5)) == timedelta(minutes=4)  # 30 s × 2³

    later = start + timedelta(minutes=30)
    receiver.start()  # back, on the same port
    with clock.frozen(later):
        retry()
        walk_on = [("stnmt.officer", "forward"), ("stnmt.officer", "forward"), ("stnmt.supervisor", "sign")]
        for username, action in walk_on:
            perform_action(dossier, user(username), action, note="Đồng ý")
            db.session.commit()
        return_result(dossier, user("hbmk.clerk"), recipient="Nguyễn Văn An")
        db.session.commit()
        run_outbox()
        bodies = check_signed(receiver.received, subscription["secret"])

    kinds = [b["type"] for b in bodies]
    assert kinds == ["dossier.received", "dossier.moved", "dossier.moved", "dossier.moved", "dossier.external_step",
                     "dossier.supplement_requested", "dossier.resumed", "dossier.moved", "dossier.moved",
                     "dossier.moved", "dossier.done"]
    event_ids = [b["event"]["id"] for b in bodies]
    assert event_ids == sorted(event_ids) and len(set(event_ids)) == len(event_ids)  # in order, none twice
    assert len({b["id"] for b in bodies}) == len(bodies)
    assert [b["dossier"]["step"]["key"] for b in bodies][4:7] == ["tax_office", "tax_payment", "registry_appraisal"]
    assert bodies[5]["dossier"]["status"] == "supplement" and bodies[-1]["dossier"]["status"] == "done"
    assert bodies[4]["dossier"]["holder"] == {"code": "HTTHUE", "name": bodies[4]["dossier"]["holder"]["name"],
                                              "external": True}
    assert not db.session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.status != DeliveryStatus.DELIVERED))
    log = client.get("/api/v1/webhooks/deliveries", headers=auth(portal)).json["items"]
    assert len(log) == 11 and log[0]["type"] == "dossier.done"
    assert max(d["attempts"] for d in log) == 5 and all(d["status"] == "delivered" for d in log)
    assert tax_subscription["secret"] != subscription["secret"]
