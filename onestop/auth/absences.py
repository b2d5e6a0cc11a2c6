"""Absences and stand-ins: while an officer is away, a colleague of the same agency stands in.

An absence covers whole local days (``starts_on`` to ``ends_on``, both included); ``starts_at``
and ``ends_at`` are the same span as UTC instants (local midnight to the midnight after the last
day), so "absent now" is one indexed comparison in SQL. Everything that depends on an absence asks
these predicates at the moment it runs — routing skips the absent, the stand-in's inbox has their
tab, reminders and escalations go to the stand-in — so when the absence ends (or is cancelled)
everything returns to the absent person with no one doing anything.
"""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ForeignKey, Index, Text, and_, exists, func, select
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.models import TimestampMixin
from onestop.extensions import db


class Absence(TimestampMixin, db.Model):
    """An absence of a staff member, with the colleague standing in."""

    __tablename__ = "absences"
    __table_args__ = (
        Index("ix_absences_user_span", "user_id", "ends_at", "starts_at"),
        Index("ix_absences_stand_in_span", "stand_in_id", "ends_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who is away
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: who stands in: same agency, present
    stand_in_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: first and last local day away (both included)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: the same span in UTC: local midnight of ``starts_on`` to the midnight after ``ends_on``
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    #: who recorded it: the person themselves or their supervisor
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: ended early or called off (kept, as history is)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    stand_in: Mapped[User] = relationship(foreign_keys=[stand_in_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def is_current(self) -> bool:
        now = clock.now()
        return self.cancelled_at is None and self.starts_at <= now < self.ends_at

    @property
    def is_over(self) -> bool:
        return self.cancelled_at is not None or self.ends_at <= clock.now()

    def snapshot(self) -> dict:
        """The audited fields."""
        return {"user": self.user_id, "stand_in": self.stand_in_id, "from": self.starts_on.isoformat(),
                "to": self.ends_on.isoformat(), "reason": self.reason}


def span(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight before ``starts_on`` and after ``ends_on``."""
    return (datetime.combine(starts_on, time(), VN_TZ).astimezone(UTC),
            datetime.combine(ends_on + timedelta(days=1), time(), VN_TZ).astimezone(UTC))


def in_force(now: datetime | None = None, table=Absence):
    """The SQL condition "this absence is in force at ``now``"."""
    now = now or clock.now()
    return and_(table.cancelled_at.is_(None), table.starts_at <= now, table.ends_at > now)


def is_absent(user_id_column, now: datetime | None = None):
    """SQL: the user of ``user_id_column`` is away at ``now``."""
    return exists().where(Absence.user_id == user_id_column, in_force(now))


def stand_in_of(user_id_column, now: datetime | None = None):
    """SQL: the stand-in of the user of ``user_id_column`` at ``now``, else NULL (a scalar subquery)."""
    a = aliased(Absence)
    return (select(a.stand_in_id).where(a.user_id == user_id_column, in_force(now, a))
            .order_by(a.starts_at.desc()).limit(1).scalar_subquery())


def present(user_id_column, now: datetime | None = None):
    """SQL: who is there for the user of ``user_id_column``: the stand-in while they are away, else them."""
    return func.coalesce(stand_in_of(user_id_column, now), user_id_column)


def current_absence(user_id: int, now: datetime | None = None) -> Absence | None:
    return db.session.scalar(select(Absence).where(Absence.user_id == user_id, in_force(now))
                             .order_by(Absence.starts_at.desc()).limit(1))


def standing_in_for(stand_in_id: int, now: datetime | None = None) -> list[User]:
    """The people ``stand_in_id`` stands in for now."""
    return list(db.session.scalars(select(User).join(Absence, Absence.user_id == User.id).where(
        Absence.stand_in_id == stand_in_id, in_force(now)).order_by(User.full_name)))
