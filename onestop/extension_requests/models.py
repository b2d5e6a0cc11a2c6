"""Apology and extension (slip 04): a new appointment for a late, or nearly late, dossier.

The holder asks with a reason and a proposed new appointment; a supervisor of the holding agency
approves or rejects. Only an approval moves ``Dossier.due_at`` (the verbs are in
``operations.py``); the first one keeps the appointment of the receipt in
``Dossier.original_due_at``, and every request stays here with who decided what and when.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core.models import TimestampMixin, str_enum
from onestop.dossiers.models import Dossier
from onestop.extensions import db


class ExtensionStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


EXTENSION_STATUS_LABELS = {
    ExtensionStatus.REQUESTED: _l("Chờ lãnh đạo duyệt"),
    ExtensionStatus.APPROVED: _l("Đã duyệt"),
    ExtensionStatus.REJECTED: lazy_pgettext("extension status", "Không duyệt"),  # "rejected", the button "reject"
}


class DossierExtension(TimestampMixin, db.Model):
    """One request to move a dossier's appointment, and its decision."""

    __tablename__ = "dossier_extensions"
    __table_args__ = (
        CheckConstraint("(status = 'requested') = (decided_at IS NULL)", name="decided_iff_not_requested"),
        CheckConstraint("new_due_at > previous_due_at", name="moves_forward"),
        # at most one request waiting for a decision per dossier
        Index("uq_dossier_extensions_pending", "dossier_id", unique=True,
              postgresql_where=text("status = 'requested'"), sqlite_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: the holding agency when asked: the one that apologises on slip 04
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: the step (and step visit) the dossier was at when asked
    step: Mapped[str] = mapped_column(String(60))
    step_seq: Mapped[int]
    status: Mapped[ExtensionStatus] = mapped_column(str_enum(ExtensionStatus), default=ExtensionStatus.REQUESTED)
    #: why the dossier is late, as printed on slip 04
    reason: Mapped[str] = mapped_column(Text)
    #: the appointment when asked (UTC)
    previous_due_at: Mapped[datetime]
    #: the new appointment asked for, and given when approved (UTC)
    new_due_at: Mapped[datetime]
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    #: the supervisor's note; the reason when rejected
    decision_note: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship(
        backref=backref("extensions", order_by="DossierExtension.id", passive_deletes=True))
    agency: Mapped[Agency] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == ExtensionStatus.REQUESTED

    @property
    def status_label(self) -> str:
        """In the language of the request."""
        return str(EXTENSION_STATUS_LABELS[self.status])

    def can_decide(self, user: User) -> bool:
        """A supervisor of the agency holding the dossier decides while the request waits."""
        return (self.is_pending and self.dossier.is_open and user.active and user.role == Role.SUPERVISOR
                and user.agency_id == self.dossier.holder_agency_id)

    def __repr__(self) -> str:
        return f"<DossierExtension {self.dossier_id} {self.status.value}>"


def latest_approved(dossier: Dossier) -> DossierExtension | None:
    """The extension that set the current appointment, if any."""
    return next((e for e in reversed(dossier.extensions) if e.status == ExtensionStatus.APPROVED), None)
