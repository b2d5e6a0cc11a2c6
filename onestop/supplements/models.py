"""Supplement requests as rounds (bổ sung hồ sơ): each time a dossier waits for the citizen to bring
documents, one row: what was asked (the missing checklist documents and a note), when and by whom,
until when it may take (a procedure's ``supplement_limit_days``), what came and when, or how the
wait ended otherwise (stopped by the sweep once the limit passed, withdrawn). Slip 02 prints the
round's list; slip 06 lists every round.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.extensions import db

#: how a round ended: the supplement came, the sweep stopped the dossier, the citizen withdrew it
OUTCOMES = ("received", "stopped", "withdrawn")
OUTCOME_LABELS = {"received": _l("Đã nhận bổ sung"), "stopped": _l("Quá hạn bổ sung, dừng xử lý"),
                  "withdrawn": _l("Công dân rút hồ sơ")}
#: as slip 06 writes them
OUTCOME_PAPER = {"received": "Đã nhận bổ sung", "stopped": "Quá hạn bổ sung, dừng xử lý", "withdrawn": "Công dân rút hồ sơ"}


class SupplementRound(db.Model):
    __tablename__ = "supplement_rounds"
    __table_args__ = (
        UniqueConstraint("dossier_id", "number", name="uq_supplement_rounds_number"),
        CheckConstraint("(closed_at IS NULL) = (outcome IS NULL)", name="closed_with_outcome"),
        CheckConstraint("outcome IS NULL OR outcome IN ('received', 'stopped', 'withdrawn')", name="outcome_known"),
        # the sweep: open rounds whose limit has passed
        Index("ix_supplement_rounds_open_due", "due_at",
              postgresql_where=text("closed_at IS NULL AND due_at IS NOT NULL"),
              sqlite_where=text("closed_at IS NULL AND due_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: 1 for the first request of the dossier, 2 for the next…
    number: Mapped[int]
    #: the supplement step the dossier waits in
    step: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the agency that asked (the one holding the step the request came from)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: keys of the checklist documents asked for
    missing: Mapped[list] = mapped_column(JSON, default=list)
    #: what else is asked, as the request's note
    note: Mapped[str | None] = mapped_column(Text)
    #: keys of the checklist documents the dossier had when asked (what came is read against it)
    had: Mapped[list] = mapped_column(JSON, default=list)
    #: the limit: past it, the sweep stops the dossier; None: no limit for the procedure
    due_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(10))
    #: keys of the documents brought in answer
    received: Mapped[list] = mapped_column(JSON, default=list)

    dossier: Mapped[Dossier] = relationship()
    agency: Mapped[Agency] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
