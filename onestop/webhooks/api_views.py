"""The webhook calls of the API: a client's subscriptions, its delivery log, and replays."""
from flask import Response, jsonify
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from onestop.api.audit import record_call, set_target
from onestop.api.auth import current_client, require
from onestop.api.models import ApiScope
from onestop.api.problems import Problem
from onestop.api.schemas import IdempotencyHeader
from onestop.api.spec import api_blueprint
from onestop.api.writes import write
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from onestop.webhooks.operations import remove, replay, subscribe
from onestop.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    DeliveryQuery,
    NewSubscriptionOut,
    SubscriptionIn,
    SubscriptionList,
)

bp = api_blueprint("api_webhooks", __name__, "/webhooks", "Webhooks: subscriptions and the delivery log")
DELIVERY_OUT = DeliveryOut()  # one instance: dumping is its only use
NEW_SUBSCRIPTION_OUT = NewSubscriptionOut()  # one instance: dumping is its only use
READERS = (ApiScope.DOSSIERS_READ, ApiScope.STEPS_ACT)


def subscription_out(s: WebhookSubscription) -> dict:
    return {"id": s.id, "url": s.url, "events": list(s.events), "active": s.active, "created_at": s.created_at}


def delivery_out(d: WebhookDelivery, code: str) -> dict:
    return {"id": d.id, "subscription_id": d.subscription_id, "dossier_code": code, "event_id": d.event_id,
            "type": f"dossier.{d.kind}", "status": d.status.value, "attempts": d.attempts, "created_at": d.created_at,
            "next_attempt_at": d.next_attempt_at if d.status == DeliveryStatus.PENDING else None,
            "delivered_at": d.delivered_at, "failed_at": d.failed_at, "last_status": d.last_status,
            "last_error": d.last_error, "replay_of": d.replay_of_id}


@bp.get("/subscriptions")
@require(*READERS)
@bp.response(200, SubscriptionList)
def subscriptions():
    """The caller's active subscriptions."""
    rows = db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.client_id == current_client().id, WebhookSubscription.active).order_by(WebhookSubscription.id))
    return {"items": [subscription_out(s) for s in rows]}


@bp.post("/subscriptions")
@require(*READERS)
@bp.arguments(IdempotencyHeader, location="headers", arg_name="headers")
@bp.arguments(SubscriptionIn, arg_name="data")
@bp.response(201, NewSubscriptionOut)
def create_subscription(data, headers):
    """Subscribe a receiver to kinds of event of the dossiers in the caller's scope. The answer
    carries the signing secret, this once."""
    client = current_client()

    def answer(subscription):
        response = jsonify(NEW_SUBSCRIPTION_OUT.dump({**subscription_out(subscription), "secret": subscription.secret}))
        response.status_code = 201
        return response

    return write(lambda: subscribe(client, url=data["url"], events=data["events"]), answer,
                 target=lambda s: f"webhook_subscription:{s.id}")


def _own_subscription(subscription_id: int) -> WebhookSubscription:
    found = db.session.scalar(select(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, WebhookSubscription.client_id == current_client().id,
        WebhookSubscription.active))
    if found is None:
        raise Problem(404, "not_found")
    return found


@bp.delete("/subscriptions/<int(max=2147483647):subscription_id>")
@require(*READERS)
@bp.response(204)
def delete_subscription(subscription_id: int):
    """Remove a subscription; what it still had to send is marked failed."""
    subscription = _own_subscription(subscription_id)
    remove(subscription)
    record_call(204, f"webhook_subscription:{subscription.id}")
    db.session.commit()
    return Response(status=204)


@bp.get("/deliveries")
@require(*READERS)
@bp.arguments(DeliveryQuery, location="query", arg_name="query")
@bp.response(200, DeliveryList)
def deliveries(query):
    """The caller's delivery log, newest first: each event sent (or being sent) to each of its
    subscriptions, with its attempts and the last answer."""
    stmt = (select(WebhookDelivery, Dossier.code).join(Dossier, Dossier.id == WebhookDelivery.dossier_id)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookSubscription.client_id == current_client().id))
    if query.get("status"):
        stmt = stmt.where(WebhookDelivery.status == DeliveryStatus(query["status"]))
    if query.get("subscription"):
        stmt = stmt.where(WebhookDelivery.subscription_id == query["subscription"])
    if query.get("dossier"):
        stmt = stmt.where(Dossier.code == query["dossier"].upper())
    if query.get("before"):
        stmt = stmt.where(WebhookDelivery.id < query["before"])
    rows = db.session.execute(stmt.order_by(WebhookDelivery.id.desc()).limit(query["limit"] + 1)).all()
    more = len(rows) > query["limit"]
    rows = rows[:query["limit"]]
    return {"items": [delivery_out(d, code) for d, code in rows], "next": rows[-1][0].id if more else None}


@bp.post("/deliveries/<int(max=2147483647):delivery_id>/replay")
@require(*READERS)
@bp.arguments(IdempotencyHeader, location="headers", arg_name="headers")
@bp.response(201, DeliveryOut)
def replay_delivery(headers, delivery_id: int):
    """Send a delivered or failed delivery again (a new delivery, at the end of its queue)."""
    client = current_client()

    def do():
        found = db.session.scalar(select(WebhookDelivery).join(WebhookSubscription).where(
            WebhookDelivery.id == delivery_id, WebhookSubscription.client_id == client.id)
            .options(joinedload(WebhookDelivery.subscription), joinedload(WebhookDelivery.dossier)))
        if found is None:
            raise Problem(404, "not_found")
        set_target(f"webhook_delivery:{found.id}")
        return replay(found, actor_label=f"client:{client.id}"), found.dossier.code

    def answer(result):
        again, code = result
        response = jsonify(DELIVERY_OUT.dump(delivery_out(again, code)))
        response.status_code = 201
        return response

    return write(do, answer)
