"""Consultation (xin ý kiến): the holding agency asks another agency for its opinion on a dossier.

The dossier does not move: it keeps its step and its one holder, and the holder may go on acting
while the answer is awaited (the holder stays responsible for the deadline; an answer that comes
late is still recorded). The consulted agency sees the request in its inbox and on the dossier
page, which its staff may open while they are consulted or after they answered.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.extensions import db

#: roles of the consulted agency who may answer
ANSWERING_ROLES = (Role.OFFICER, Role.SUPERVISOR)


class Consultation(db.Model):
    """One request for an opinion, from the agency holding a dossier to another agency, and its answer."""

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("(answered_at IS NULL) = (answer IS NULL) AND (answered_at IS NULL) = (answered_by_id IS NULL)",
                        name="answered_together"),
        CheckConstraint("from_agency_id <> to_agency_id", name="not_to_itself"),
        # one open request per dossier and consulted agency
        Index("uq_consultations_open_dossier_to", "dossier_id", "to_agency_id", unique=True,
              postgresql_where=text("answered_at IS NULL"), sqlite_where=text("answered_at IS NULL")),
        # the consulted agency's inbox tab
        Index("ix_consultations_open_to", "to_agency_id",
              postgresql_where=text("answered_at IS NULL"), sqlite_where=text("answered_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    #: the step the dossier stood at when the opinion was asked
    step: Mapped[str] = mapped_column(String(60))
    #: the agency that asks (the holder at the time)
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: the agency consulted
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: what the consulted agency is asked
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(default=clock.now)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the consulted agency's opinion; None while awaited
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]

    dossier: Mapped[Dossier] = relationship()
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id])
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id])
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @hybrid_property
    def is_open(self) -> bool:
        return self.answered_at is None

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.answered_at.is_(None)

    def can_answer(self, user: User) -> bool:
        """Staff of the consulted agency answer, once, while the dossier is open."""
        return (self.is_open and self.dossier.is_open and user.active
                and user.agency_id == self.to_agency_id and user.role in ANSWERING_ROLES)

    def __repr__(self) -> str:
        return f"<Consultation {self.id} dossier={self.dossier_id} to={self.to_agency_id}>"
