"""Trends: received, finished and finished late per month over the last twelve months.

The same definitions as the statistics (``statistics.py``), month by month, by receiving agency:
*received* is the new dossiers of the month (all channels), *finished* the results returned in the
month, *late* those of them returned after the local day of their appointment. Two grouped
statements, whatever the number of months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from onestop.auth.models import User
from onestop.auth.scope import scope_agency_ids
from onestop.dossiers.models import Dossier, Status
from onestop.reports.periods import Period, last_months, local_today
from onestop.reports.statistics import legal_due
from onestop.reports.workclock import local_date, local_month

SERIES = (("new", _l("Tiếp nhận mới"), "#1a5fb4"), ("finished", _l("Đã giải quyết"), "#1f7a3a"),
          ("finished_late", _l("Giải quyết quá hạn"), "#b3261e"))


@dataclass
class Month:
    period: Period
    new: int = 0
    finished: int = 0
    finished_late: int = 0

    @property
    def late_rate(self) -> float | None:
        return None if not self.finished else self.finished_late / self.finished


def build(session, user: User, now: datetime, count: int = 12) -> list[Month]:
    months = [Month(p) for p in last_months(local_today(now), count)]
    by_token = {m.period.token: m for m in months}
    start, end = months[0].period.start, months[-1].period.end
    scope = Dossier.received_desk_id.in_(scope_agency_ids(user))
    received = (select(local_month(Dossier.received_at).label("month"), func.count().label("n"))
                .where(Dossier.received_at >= start, Dossier.received_at < end, scope)
                .group_by(local_month(Dossier.received_at)))
    for row in session.execute(received):
        by_token[row.month].new = row.n
    late = local_date(Dossier.finished_at) > local_date(legal_due())
    finished = (select(local_month(Dossier.finished_at).label("month"), func.count().label("n"),
                       func.count().filter(late).label("late"))
                .where(and_(Dossier.status == Status.DONE, Dossier.finished_at >= start, Dossier.finished_at < end),
                       scope)
                .group_by(local_month(Dossier.finished_at)))
    for row in session.execute(finished):
        by_token[row.month].finished = row.n
        by_token[row.month].finished_late = row.late
    return months
