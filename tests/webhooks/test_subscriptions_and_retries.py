"""Webhooks: which moves make deliveries for whom, retries for a day then failed (the queue moves
on), replay from the log, removal, and the subscription calls' refusals."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from onestop.api.clients import revoke_client
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.operations import assign, log_stay, perform_action
from onestop.webhooks.delivery import _claim
from onestop.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.api.helpers import auth, make_client
from tests.api.steps import receive_land_transfer, user
from tests.conftest import vn
from tests.webhooks.drive import retry, run_outbox
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery_to_a_receiver import subscribe

SUBSCRIPTIONS = "/api/v1/webhooks/subscriptions"


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def deliveries(db, **where) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    for name, value in where.items():
        query = query.where(getattr(WebhookDelivery, name) == value)
    return list(db.session.scalars(query))


def test_kinds_scope_and_what_makes_no_delivery(client, db, receiver):
    _, city = make_client("HP", ["dossiers:read"], name="Thành phố")
    _, other_district = make_client("NQ", ["dossiers:read"], name="Ngô Quyền")
    revoked, gone = make_client("HP", ["dossiers:read"], name="Thu hồi")
    city_sub = subscribe(client, city, receiver.url)
    subscribe(client, other_district, receiver.url)
    subscribe(client, gone, receiver.url)
    revoke_client(revoked, admin=None)
    db.session.commit()

    dossier = receive_land_transfer()
    perform_action(dossier, user("hbmk.clerk"), "forward")
    assign(dossier, None, user("stnmt.officer"))  # a stay: no event kind
    perform_action(dossier, user("stnmt.officer"), "send_back", note="Thiếu bản đồ")
    log_stay(dossier, user("hbmk.clerk"), "extend", "Gia hạn")
    db.session.commit()
    with pytest.raises(OperationError):  # refused: nothing written, no delivery either
        perform_action(dossier, user("hbmk.clerk"), "refuse")
    db.session.rollback()
    perform_action(dossier, user("hbmk.clerk"), "refuse", note="Không đủ điều kiện")
    db.session.commit()
    made = deliveries(db)
    assert {d.subscription_id for d in made} == {city_sub["id"]}  # Ngô Quyền does not see it; revoked hears nothing
    assert [d.kind for d in made] == ["received", "moved", "returned", "extended", "refused"]


def test_a_receiver_failing_for_a_day_is_failed_and_the_queue_moves_on(client, db, receiver, app):
    start = vn(2026, 12, 7, 8, 0)
    receiver.status = 503
    with clock.frozen(start):
        _, token = make_client("HP", ["dossiers:read"])
        subscribe(client, token, receiver.url, ["received", "moved"])
        dossier = receive_land_transfer()
        perform_action(dossier, user("hbmk.clerk"), "forward")
        db.session.commit()
        run_outbox()
    first, second = deliveries(db)
    assert (first.attempts, first.last_status, second.attempts) == (1, 503, 0)
    at = start
    while first.status == DeliveryStatus.PENDING and at < start + timedelta(days=2):
        at = first.next_attempt_at
        with clock.frozen(at):
            retry()
        db.session.expire_all()
    assert first.status == DeliveryStatus.FAILED
    assert first.failed_at - start <= timedelta(hours=app.config["ONESTOP_WEBHOOK_RETRY_HOURS"])
    assert 10 <= first.attempts <= 40  # 30 s doubling to an hour, for a day
    assert second.attempts >= 1  # the head failed for good: the next one was tried at once
    receiver.status = 200
    with clock.frozen(second.next_attempt_at):
        retry()
    db.session.expire_all()
    assert second.status == DeliveryStatus.DELIVERED

    log = client.get("/api/v1/webhooks/deliveries?status=failed", headers=auth(token)).json["items"]
    assert [d["id"] for d in log] == [first.id]
    replayed = client.post(f"/api/v1/webhooks/deliveries/{first.id}/replay", headers=auth(token))
    assert replayed.status_code == 201 and replayed.json["replay_of"] == first.id
    run_outbox()
    again = db.session.get(WebhookDelivery, replayed.json["id"])
    assert again.status == DeliveryStatus.DELIVERED and again.event_id == first.event_id
    assert receiver.received[-1][1].startswith(b'{"id":%d,' % again.id)


def test_a_claimed_head_is_not_sent_by_a_second_worker(client, db, receiver):
    _, token = make_client("HP", ["dossiers:read"])
    subscribe(client, token, receiver.url, ["received"])
    receive_land_transfer()
    [delivery] = deliveries(db)
    now = clock.now()
    assert _claim(delivery.id, now) is True
    assert _claim(delivery.id, now) is False  # still leased
    db.session.commit()
    run_outbox()
    assert receiver.received == []  # the worker that holds the lease sends it, no one else
    with clock.frozen(now + timedelta(minutes=2)):  # that worker died: the lease runs out
        retry()
    assert len(receiver.received) == 1


def test_removing_a_subscription_fails_what_it_still_had_to_send(client, db, receiver):
    _, token = make_client("HP", ["dossiers:read"])
    _, other = make_client("HP", ["dossiers:read"], name="Khác")
    sub = subscribe(client, token, receiver.url, ["received"])
    receiver.stop()
    receive_land_transfer()
    assert client.delete(f"{SUBSCRIPTIONS}/{sub['id']}", headers=auth(other)).status_code == 404
    assert client.delete(f"{SUBSCRIPTIONS}/{sub['id']}", headers=auth(token)).status_code == 204
    [delivery] = deliveries(db)
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "subscription removed"
    assert client.get(SUBSCRIPTIONS, headers=auth(token)).json["items"] == []
    assert client.post(f"/api/v1/webhooks/deliveries/{delivery.id}/replay", headers=auth(token)).status_code == 422


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://example.org/x", "events": ["moved"]}, "url"),
    ({"url": "http://user:pw@example.org/x", "events": ["moved"]}, None),
    ({"url": "http://example.org:99999/x", "events": ["moved"]}, None),
    ({"url": "https://example.org/x", "events": ["flying"]}, "events.0"),
    ({"url": "https://example.org/x", "events": []}, "events"),
])
def test_bad_subscriptions_are_refused(client, db, body, field):
    _, token = make_client("HP", ["dossiers:read"])
    answer = client.post(SUBSCRIPTIONS, json=body, headers=auth(token))
    assert answer.status_code == 422, answer.json
    if field:
        assert field in {e["field"] for e in answer.json["errors"]}
    assert client.get(SUBSCRIPTIONS, headers=auth(token)).json["items"] == []


def test_only_readers_subscribe(client, db):
    _, token = make_client("HP", ["catalogue:read"])
    answer = client.post(SUBSCRIPTIONS, json={"url": "https://example.org/x", "events": ["moved"]},
                         headers=auth(token))
    assert answer.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
