"""The calendar in force: office hours from configuration, admin overrides from the database."""
from datetime import date

from flask import current_app, g
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core.calendar import OfficeHours, WorkingCalendar
from onestop.core.database import db
from onestop.core.models import TimestampMixin


class CalendarOverride(TimestampMixin, db.Model):
    """An admin's correction of the calendar: an extra day off or a make-up working day."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    #: True: a working day (make-up Saturday); False: a day off
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")


def current_calendar() -> WorkingCalendar:
    """One calendar per request or task, with the overrides read in one query."""
    cal = g.get("_onestop_calendar")
    if cal is None:
        overrides = dict(db.session.execute(
            select(CalendarOverride.day, CalendarOverride.is_working)).all())
        cal = WorkingCalendar(OfficeHours.parse(current_app.config["ONESTOP_OFFICE_HOURS"]), overrides)
        g._onestop_calendar = cal
    return cal


def forget_calendar() -> None:
    """Drop the calendar read in this request (after an admin changed the overrides)."""
    g.pop("_onestop_calendar", None)
