"""What the citizen is told about their dossier, by e-mail and by text message: the result is ready,
a reminder to collect it, a reminder that a supplement is awaited, the notice that the dossier was
stopped. One row per message and channel.

A message may be for later (``send_after``: the pick-up reminder N working days after the result
was ready, the supplement reminder before its limit) and is cancelled when what it is about has
happened (the result collected, the supplement brought). ``key`` is unique per kind, dossier,
occasion and channel, so each message exists once however often it is asked for.

Sending is at least once, as the staff e-mails are (``notifications/mail.py``): the sweep (or the
verb that wrote it) hands the due messages to the worker (``queued_at``), the worker claims them
(``claimed_at``), commits the claim, sends and marks each ``sent_at``; a claim whose lease ran out
is handed over again.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.extensions import db

KINDS = ("result_ready", "pickup_reminder", "supplement_reminder", "supplement_stopped")
CHANNELS = ("email", "sms")


class CitizenMessage(db.Model):
    __tablename__ = "citizen_messages"
    __table_args__ = (
        # what the sweep hands to the worker: due, not yet sent, not cancelled
        Index("ix_citizen_messages_due", "send_after",
              postgresql_where=text("sent_at IS NULL AND cancelled_at IS NULL"),
              sqlite_where=text("sent_at IS NULL AND cancelled_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: ``result_ready``, ``pickup_reminder``, ``supplement_reminder``, ``supplement_stopped``
    kind: Mapped[str] = mapped_column(String(30))
    #: ``email`` or ``sms``
    channel: Mapped[str] = mapped_column(String(10))
    #: the e-mail address or the phone number (national form) it goes to
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: ``{kind}:{dossier id}:{occasion}:{channel}``, unique: a message is written once
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: not before this instant (a reminder)
    send_after: Mapped[datetime] = mapped_column(default=clock.now)
    #: handed to the worker (by the verb that wrote it, or by the sweep once due)
    queued_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: what it was about happened first (the result was collected): it is not sent
    cancelled_at: Mapped[datetime | None]
    #: why the last attempt failed, for good or for now
    error: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship()
