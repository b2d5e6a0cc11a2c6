"""The clock of a dossier as staff see it: working time left for the step and for the appointment."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import ngettext

from onestop.core import clock
from onestop.core.calendar import HOURS_PER_DAY
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Dossier, Status


@dataclass(frozen=True)
class DossierClock:
    #: the clock is stopped while the citizen supplements the dossier
    paused: bool
    paused_since: datetime | None
    #: working hours stopped in total, the current pause included
    paused_hours: float
    #: working hours left until the step's due time; negative: overdue by that much; None: no step deadline
    step_left: float | None
    #: working hours left until the appointment (at the pause, while paused); negative: overdue
    due_left: float | None


def _left(now: datetime, due: datetime) -> float:
    cal = current_calendar()
    return cal.working_hours_between(now, due) if due > now else -cal.working_hours_between(due, now)


def clock_of(dossier: Dossier) -> DossierClock:
    now = clock.now()
    if not dossier.is_open:
        return DossierClock(False, None, dossier.paused_hours, None, None)
    if dossier.status == Status.SUPPLEMENT and dossier.paused_at is not None:
        current = current_calendar().working_hours_between(dossier.paused_at, now)
        return DossierClock(True, dossier.paused_at, dossier.paused_hours + current, None,
                            _left(dossier.paused_at, dossier.due_at))
    step_left = _left(now, dossier.step_due_at) if dossier.step_due_at is not None else None
    return DossierClock(False, None, dossier.paused_hours, step_left, _left(now, dossier.due_at))


def working_time(hours: float | None) -> str:
    """``13.5`` → ``1 ngày 5 giờ 30 phút`` (a working day is 8 hours), in the language of the request."""
    if hours is None:
        return ""
    minutes = round(abs(hours) * 60)
    days, minutes = divmod(minutes, HOURS_PER_DAY * 60)
    whole_hours, minutes = divmod(minutes, 60)
    parts = ([ngettext("%(num)d ngày", "%(num)d ngày", days)] * bool(days)
             + [ngettext("%(num)d giờ", "%(num)d giờ", whole_hours)] * bool(whole_hours)
             + [ngettext("%(num)d phút", "%(num)d phút", minutes)] * bool(minutes))
    return " ".join(parts) or ngettext("%(num)d phút", "%(num)d phút", 0)
