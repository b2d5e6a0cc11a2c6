"""From a dossier's history line to deliveries: which kind of event it is, who subscribed to it
and may see the dossier, and what they are sent. Connected to ``dossiers.signals.event_written``,
so it runs inside the verb's transaction: a move and its deliveries commit (or not) together, and
the outbox hands each (subscription, dossier) queue to the worker after the commit."""
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from onestop.agencies.structure import structure
from onestop.api.auth import scope_of
from onestop.api.models import ApiClient
from onestop.core import clock
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.core.versions import ProcessCache, watch
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.scope import dossier_scope
from onestop.dossiers.signals import event_written
from onestop.extensions import db
from onestop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from onestop.workflows.engine import engine


def kinds_of(dossier: Dossier, event: DossierEvent) -> list[str]:
    """The kinds this history line is, most specific first (``EVENT_KINDS``); [] for a line that
    tells of no move (an assignment, a file attached, an opinion asked…)."""
    if event.action == "receive":
        return ["received"]
    if event.action == "extend":
        return ["extended"]
    procedure = engine().of(dossier)
    if not event.from_step or procedure.step(event.from_step).action(event.action) is None:
        return []
    source, target = procedure.step(event.from_step), procedure.step(event.to_step)
    kinds = ["external_step"] if target.external_system else []
    if target.is_final:
        kinds.append(target.outcome)
    elif target.kind == "supplement":
        kinds.append("supplement_requested")
    elif source.kind == "supplement":
        kinds.append("resumed")
    elif event.action == "send_back":
        kinds.append("returned")
    else:
        kinds.append("moved")
    return kinds


def _agency(agency) -> dict | None:
    if agency is None:
        return None
    return {"code": agency.code, "name": agency.name, "external": agency.level == structure().external_level}


def payload(dossier: Dossier, event: DossierEvent) -> dict:
    """The dossier as the event left it (the delivery adds its own id and the time it is sent)."""
    procedure = engine().of(dossier)
    step = procedure.step(dossier.step)
    body = {
        "occurred_at": (event.at or clock.now()).isoformat(),
        "dossier": {
            "code": dossier.code, "procedure": {"code": procedure.code, "name": procedure.name},
            "channel": dossier.channel.value, "status": dossier.status.value,
            "step": {"key": step.key, "name": step.name}, "holder": _agency(dossier.holder_agency),
            "receiving_agency": _agency(dossier.receiving_agency), "received_at": dossier.received_at.isoformat(),
            "competent_agency": _agency(dossier.competent_agency) if dossier.across_boundary else None,
            "due_at": dossier.due_at.isoformat(),
            "step_due_at": dossier.step_due_at.isoformat() if dossier.step_due_at else None,
            "finished_at": dossier.finished_at.isoformat() if dossier.finished_at else None,
        },
        "event": {"action": event.action, "from_step": event.from_step, "to_step": event.to_step,
                  "from_agency": _agency(event.from_agency), "to_agency": _agency(event.to_agency)},
    }
    if step.external_system:
        body["actions"] = [{"name": a.name, "label": str(a.label), "to": a.target,
                            "note_required": "note_given" in a.guards} for a in step.actions]
    return body


def _live() -> tuple[tuple[int, frozenset[str], object], ...]:
    """Every active subscription of a client not revoked: (id, kinds, the client's expiry)."""
    rows = db.session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events, ApiClient.expires_at)
        .join(ApiClient, ApiClient.id == WebhookSubscription.client_id)
        .where(WebhookSubscription.active, ApiClient.revoked_at.is_(None)))
    return tuple((r.id, frozenset(r.events or ()), r.expires_at) for r in rows)


watch(WebhookSubscription, "webhooks")
watch(ApiClient, "webhooks")
#: the subscriptions change rarely and every move asks them: kept per process (``core/versions.py``)
_LIVE = ProcessCache("webhooks", _live)


def _subscriptions(kinds: list[str]) -> list[WebhookSubscription]:
    """The subscriptions in force that want one of ``kinds``; no statement when none does."""
    now = clock.now()
    ids = [i for i, events, expires_at in _LIVE.get() if expires_at > now and events.intersection(kinds)]
    if not ids:
        return []
    return list(db.session.scalars(
        select(WebhookSubscription).join(ApiClient, ApiClient.id == WebhookSubscription.client_id)
        .where(WebhookSubscription.id.in_(ids), WebhookSubscription.active, ApiClient.revoked_at.is_(None),
               ApiClient.expires_at > now)
        .order_by(WebhookSubscription.id)
        .options(joinedload(WebhookSubscription.client).joinedload(ApiClient.agency))))


def _sees(client: ApiClient, dossier: Dossier) -> bool:
    """As ``GET /dossiers/{code}`` would answer for that client (its agency's subtree)."""
    return bool(db.session.scalar(select(exists().where(Dossier.id == dossier.id, dossier_scope(scope_of(client))))))


def fan_out(dossier: Dossier, event: DossierEvent) -> list[WebhookDelivery]:
    kinds = kinds_of(dossier, event)
    if not kinds:
        return []
    wanted = []
    for subscription in _subscriptions(kinds):
        kind = next((k for k in kinds if k in (subscription.events or [])), None)
        if kind is not None:
            wanted.append((subscription, kind))
    if not wanted:
        return []
    db.session.flush()  # the new line counts in the scope ("has handled"), and has its id
    now = clock.now()
    body = payload(dossier, event)
    made = []
    for subscription, kind in wanted:
        if not _sees(subscription.client, dossier):
            continue
        delivery = WebhookDelivery(subscription=subscription, dossier_id=dossier.id, event=event, kind=kind,
                                   payload={"type": f"dossier.{kind}", **body}, status=DeliveryStatus.PENDING,
                                   created_at=now, next_attempt_at=now)
        db.session.add(delivery)
        made.append(delivery)
    if made:
        db.session.flush()
        for subscription_id in sorted({d.subscription_id for d in made}):
            enqueue(Task.DELIVER_WEBHOOKS, subscription_id=subscription_id, dossier_id=dossier.id)
    return made


@event_written.connect
def _on_event_written(dossier: Dossier, event: DossierEvent, **_ignored) -> None:
    fan_out(dossier, event)


