"""Webhooks: a client's subscriptions to the moves of the dossiers in its scope, and every
delivery of every event to every subscription (the delivery log)."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.api.models import ApiClient
from onestop.core.models import TimestampMixin, str_enum
from onestop.extensions import db

#: what a client may subscribe to: the kinds of move a dossier makes
EVENT_KINDS = ("received", "moved", "external_step", "supplement_requested", "resumed", "extended", "returned",
               "done", "refused", "withdrawn")


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    #: retried for the whole window (a day) without a 2xx, or its subscription was removed
    FAILED = "failed"


class WebhookSubscription(TimestampMixin, db.Model):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    #: where the events are POSTed (http or https)
    url: Mapped[str] = mapped_column(String(2000))
    #: the ``EVENT_KINDS`` subscribed to
    events: Mapped[list] = mapped_column(JSON, default=list)
    #: the HMAC key of the signatures; it must be kept to sign, so it is stored as given out (once)
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    removed_at: Mapped[datetime | None]

    client: Mapped[ApiClient] = relationship()


class WebhookDelivery(db.Model):
    """One event for one subscription; the deliveries of one dossier to one subscription go out
    one at a time in ``id`` order (the head of the queue first)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # the head of each (subscription, dossier) queue
        Index("ix_webhook_deliveries_queue", "subscription_id", "dossier_id", "id",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        # the retry sweep: pending deliveries whose next attempt has come
        Index("ix_webhook_deliveries_due", "next_attempt_at",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        # the delivery log of a subscription, newest first
        Index("ix_webhook_deliveries_log", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    #: the history line it tells of (a replay tells of the same one)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"), index=True)
    #: one of ``EVENT_KINDS``
    kind: Mapped[str] = mapped_column(String(40))
    #: what is sent, as of the event (the dossier's state then), without the delivery's own fields
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    #: a worker is sending it until then (a worker that died while sending lets it go again)
    claimed_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    #: the HTTP status of the last attempt, if an answer came
    last_status: Mapped[int | None]
    #: why the last attempt failed (the error, or the start of the answer)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the delivery this one sends again (a replay asked for from the log)
    replay_of_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_deliveries.id"))

    subscription: Mapped[WebhookSubscription] = relationship()
    dossier = relationship("Dossier")
    event = relationship("DossierEvent")
