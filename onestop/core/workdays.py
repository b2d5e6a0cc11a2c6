"""The calendar in force: office hours from configuration, admin overrides from the database."""
from datetime import date, datetime

from flask import current_app
from sqlalchemy import ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core.calendar import OfficeHours, WorkingCalendar
from onestop.core.database import db
from onestop.core.models import TimestampMixin
from onestop.core.versions import ProcessCache, forget, watch


class CalendarOverride(TimestampMixin, db.Model):
    """An admin's correction of the calendar: an extra day off or a make-up working day.

    Rows are kept when removed (``removed_at``), as dossier history is: what deadlines were counted
    with, and who decided it, stays readable. At most one override in force per day."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (
        Index("uq_calendar_overrides_day_in_force", "day", unique=True,
              postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    #: True: a working day (make-up Saturday); False: a day off
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")
    #: the admin who entered it (None for rows older than authorship)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when and by whom it was taken back; None while in force
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def snapshot(self) -> dict:
        return {"day": self.day.isoformat(), "is_working": self.is_working, "note": self.note}


def _load_calendar() -> WorkingCalendar:
    overrides = dict(db.session.execute(
        select(CalendarOverride.day, CalendarOverride.is_working).where(CalendarOverride.removed_at.is_(None))).all())
    return WorkingCalendar(OfficeHours.parse(current_app.config["ONESTOP_OFFICE_HOURS"]), overrides)


watch(CalendarOverride, "calendar")
_CALENDAR = ProcessCache("calendar", _load_calendar)


def current_calendar() -> WorkingCalendar:
    """The calendar in force, kept per process and read again when an override changed anywhere
    (``versions.py``: the change of an override changes the stamp, in its own transaction)."""
    return _CALENDAR.get(current_app.config["ONESTOP_OFFICE_HOURS"])


def forget_calendar() -> None:
    """Read the stamps again on next use (pending changes of this session are flushed then)."""
    forget()
