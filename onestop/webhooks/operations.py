"""A client's verbs on its webhooks: subscribe, remove a subscription, replay a delivery.
Each flushes and never commits."""
import secrets
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import update

from onestop.api.models import ApiClient
from onestop.core import clock
from onestop.core.audit import record
from onestop.core.errors import OperationError
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.extensions import db
from onestop.webhooks.models import EVENT_KINDS, DeliveryStatus, WebhookDelivery, WebhookSubscription

SECRET_PREFIX = "whsec_"


def url_problem(url: str) -> str | None:
    """Why a receiver address cannot be used, or None. Only http and https, with a host and no
    user name or password in it (they would be logged with the address)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return _("Địa chỉ nhận không hợp lệ.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Địa chỉ nhận phải là một địa chỉ http:// hoặc https://.")
    if parts.username or parts.password:
        return _("Địa chỉ nhận không được chứa tên đăng nhập hay mật khẩu.")
    return None


def subscribe(client: ApiClient, *, url: str, events: list[str]) -> WebhookSubscription:
    problem = url_problem(url)
    if problem:
        raise OperationError(problem)
    unknown = set(events) - set(EVENT_KINDS)
    if unknown or not events:
        raise OperationError(_("Chọn ít nhất một loại sự kiện hợp lệ."))
    subscription = WebhookSubscription(client=client, url=url, events=[k for k in EVENT_KINDS if k in events],
                                       secret=SECRET_PREFIX + secrets.token_urlsafe(32), active=True)
    db.session.add(subscription)
    db.session.flush()
    record("webhook.subscribe", actor_label=f"client:{client.id}", target=f"webhook_subscription:{subscription.id}",
           after={"url": url, "events": subscription.events})
    return subscription


def remove(subscription: WebhookSubscription) -> int:
    """Stop the subscription; what it still had to send is marked failed. Returns how many."""
    subscription.active, subscription.removed_at = False, clock.now()
    dropped = db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == DeliveryStatus.PENDING,
    ).values(status=DeliveryStatus.FAILED, failed_at=clock.now(), last_error="subscription removed")).rowcount
    record("webhook.unsubscribe", actor_label=f"client:{subscription.client_id}",
           target=f"webhook_subscription:{subscription.id}", before={"url": subscription.url})
    db.session.flush()
    return dropped


def replay(delivery: WebhookDelivery, *, actor=None, actor_label: str | None = None) -> WebhookDelivery:
    """Send a delivered or failed delivery again, as a new delivery at the end of its queue (same
    event, same payload; ``replay_of`` names the first)."""
    if delivery.status == DeliveryStatus.PENDING:
        raise OperationError(_("Lần gửi này đang chờ gửi; chưa gửi lại được."))
    if not delivery.subscription.active:
        raise OperationError(_("Đăng ký nhận sự kiện này đã bị gỡ."))
    now = clock.now()
    again = WebhookDelivery(subscription_id=delivery.subscription_id, dossier_id=delivery.dossier_id,
                            event_id=delivery.event_id, kind=delivery.kind, payload=delivery.payload,
                            status=DeliveryStatus.PENDING, created_at=now, next_attempt_at=now,
                            replay_of_id=delivery.id)
    db.session.add(again)
    db.session.flush()
    record("webhook.replay", actor=actor, actor_label=actor_label, target=f"webhook_delivery:{delivery.id}",
           after={"replay": again.id})
    enqueue(Task.DELIVER_WEBHOOKS, subscription_id=again.subscription_id, dossier_id=again.dossier_id)
    return again
