"""Local days and working hours inside SQL, so the reports aggregate in the database.

Time is stored as naive UTC. Vietnam has kept UTC+7 without daylight saving since 1975, so the
local date of an instant is the date of ``instant + 7 hours`` on both databases (``local_date``,
``local_month``, ``local_minutes`` compile per dialect).

The *working clock* of an instant is a number of office hours: the office hours of the working
days before its local day (``report_working_days.hours_before``) plus those already elapsed on its
day. The working hours between two instants are the difference of their clocks, which equals
``WorkingCalendar.working_hours_between`` and costs a join to a small table instead of a loop.
``WorkClock`` is the same arithmetic in Python, and fills and checks the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from flask import g
from sqlalchemy import Boolean, Date, Float, String, case, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from onestop.core import clock
from onestop.core.calendar import VN_TZ, OfficeHours, WorkingCalendar
from onestop.core.dialect import insert, is_postgresql
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.reports.models import WorkingDay

#: the fixed offset of Asia/Ho_Chi_Minh (no daylight saving)
UTC_OFFSET_HOURS = 7
if VN_TZ.utcoffset(datetime(2000, 1, 1)) != timedelta(hours=UTC_OFFSET_HOURS):  # pragma: no cover
    raise RuntimeError("the reports assume Asia/Ho_Chi_Minh is UTC+7")


class local_date(FunctionElement):
    """The Asia/Ho_Chi_Minh date of a UTC timestamp column."""

    type = Date()
    name = "local_date"
    inherit_cache = True


class local_month(FunctionElement):
    """``'YYYY-MM'`` of the local date of a UTC timestamp column."""

    type = String()
    name = "local_month"
    inherit_cache = True


class local_minutes(FunctionElement):
    """Minutes since local midnight (fractional) of a UTC timestamp column."""

    type = Float()
    name = "local_minutes"
    inherit_cache = True


class open_at_sql(FunctionElement):
    """``received < at AND (finished IS NULL OR finished >= at)``: the dossier is open at ``at``.

    On PostgreSQL it is written as "the span (received, finished] contains ``at``", which the GiST
    index ``ix_dossiers_report_open_span`` answers without reading every dossier received before
    ``at`` (a plain B-tree on either column would); the two forms select the same rows.
    """

    type = Boolean()
    name = "open_at"
    inherit_cache = True


#: the dossier's open span; the GiST index of the migration is on exactly this expression
OPEN_SPAN_SQL = ("tsrange({received}, CASE WHEN {finished} < {received} THEN {received} ELSE {finished} END,"
                 " '(]')")


@compiles(open_at_sql)
def _open_at_pg(element, compiler, **kw):
    received, finished, at = (compiler.process(c, **kw) for c in element.clauses)
    return f"({OPEN_SPAN_SQL.format(received=received, finished=finished)} @> CAST({at} AS TIMESTAMP))"


@compiles(open_at_sql, "sqlite")
def _open_at_sqlite(element, compiler, **kw):
    received, finished, at = (compiler.process(c, **kw) for c in element.clauses)
    return f"({received} < {at} AND ({finished} IS NULL OR {finished} >= {at}))"


def _arg(element, compiler, **kw) -> str:
    (arg,) = element.clauses
    return compiler.process(arg, **kw)


@compiles(local_date)
def _local_date_pg(element, compiler, **kw):
    return f"CAST({_arg(element, compiler, **kw)} + INTERVAL '{UTC_OFFSET_HOURS} hours' AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    return f"date({_arg(element, compiler, **kw)}, '+{UTC_OFFSET_HOURS} hours')"


@compiles(local_month)
def _local_month_pg(element, compiler, **kw):
    return f"to_char({_arg(element, compiler, **kw)} + INTERVAL '{UTC_OFFSET_HOURS} hours', 'YYYY-MM')"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {_arg(element, compiler, **kw)}, '+{UTC_OFFSET_HOURS} hours')"


@compiles(local_minutes)
def _local_minutes_pg(element, compiler, **kw):
    return (f"(EXTRACT(EPOCH FROM CAST({_arg(element, compiler, **kw)} + INTERVAL '{UTC_OFFSET_HOURS} hours'"
            " AS TIME)) / 60.0)")


@compiles(local_minutes, "sqlite")
def _local_minutes_sqlite(element, compiler, **kw):
    arg = _arg(element, compiler, **kw)
    shift = f"'+{UTC_OFFSET_HOURS} hours'"
    return (f"(CAST(strftime('%H', {arg}, {shift}) AS INTEGER) * 60"
            f" + CAST(strftime('%M', {arg}, {shift}) AS INTEGER)"
            f" + CAST(strftime('%f', {arg}, {shift}) AS REAL) / 60.0)")


def _minutes(t) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class WorkClock:
    """The working clock of a calendar over ``first``..``last`` (local dates, inclusive)."""

    first: date
    last: date
    #: office periods as (start, end) minutes since local midnight
    periods: tuple[tuple[int, int], ...]
    #: local date -> (is working day, office hours of the working days before it)
    days: dict

    @classmethod
    def build(cls, calendar: WorkingCalendar, first: date, last: date) -> WorkClock:
        periods = tuple((_minutes(s), _minutes(e)) for s, e in calendar.office_hours.periods)
        daily = sum(e - s for s, e in periods) / 60
        days, total, day = {}, 0.0, first
        while day <= last:
            working = calendar.is_working_day(day)
            days[day] = (working, total)
            if working:
                total += daily
            day += timedelta(days=1)
        return cls(first, last, periods, days)

    def within_day(self, minutes: float) -> float:
        return sum(min(max(minutes - s, 0), e - s) for s, e in self.periods) / 60

    def hours_at(self, at: datetime) -> float:
        """The working clock of an instant (office hours since the start of ``first``)."""
        local = at.astimezone(VN_TZ)
        working, before = self.days[local.date()]
        if not working:
            return before
        minutes = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return before + self.within_day(minutes)

    def hours_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, self.hours_at(end) - self.hours_at(start))

    def rows(self) -> list[dict]:
        return [{"day": d, "is_working": w, "hours_before": h} for d, (w, h) in self.days.items()]

    def checksum(self) -> tuple[int, int, float]:
        return (len(self.days), sum(1 for w, _ in self.days.values() if w),
                round(sum(h for _, h in self.days.values()), 3))

    def hours_sql(self, ts, day: type[WorkingDay] | object):
        """SQL for the working clock of ``ts``; ``day`` is the ``WorkingDay`` (alias) joined on
        ``day.day == local_date(ts)``."""
        minutes = local_minutes(ts)
        within = sum(case((minutes <= s, 0.0), (minutes >= e, float(e - s)), else_=minutes - s)
                     for s, e in self.periods) / 60.0
        return day.hours_before + case((day.is_working, within), else_=0.0)


@lru_cache(maxsize=8)
def _clock(office_hours: str, overrides: tuple, first: date, last: date) -> WorkClock:
    calendar = WorkingCalendar(OfficeHours.parse(office_hours), dict(overrides))
    return WorkClock.build(calendar, first, last)


def _first_day() -> date:
    earliest = db.session.scalar(select(func.min(Dossier.received_at)))
    if earliest is None:
        return date(clock.now().astimezone(VN_TZ).year, 1, 1)
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    return date(min(earliest.astimezone(VN_TZ).year, clock.now().astimezone(VN_TZ).year), 1, 1)


def working_clock() -> WorkClock:
    """The working clock for this request, with ``report_working_days`` checked against it.

    The table is rewritten (upsert, flushed, not committed) when it differs from the calendar in
    force, e.g. after an admin override; ``g.report_days_written`` then tells the view to commit.
    """
    cached = g.get("_report_clock")
    if cached is not None:
        return cached
    calendar = current_calendar()
    today = clock.now().astimezone(VN_TZ).date()
    work = _clock(str(calendar.office_hours), tuple(sorted(calendar.overrides.items())),
                  _first_day(), date(today.year + 1, 12, 31))
    stored = db.session.execute(
        select(func.count(), func.sum(case((WorkingDay.is_working, 1), else_=0)), func.sum(WorkingDay.hours_before))
        .where(WorkingDay.day >= work.first, WorkingDay.day <= work.last)).one()
    expected = work.checksum()
    if (stored[0], stored[1] or 0) != expected[:2] or abs((stored[2] or 0.0) - expected[2]) > 0.01:
        _write(work)
        g.report_days_written = True
    g._report_clock = work
    return work


def _write(work: WorkClock) -> None:
    rows = work.rows()
    for i in range(0, len(rows), 1000):
        stmt = insert(WorkingDay).values(rows[i:i + 1000])
        stmt = stmt.on_conflict_do_update(index_elements=[WorkingDay.day], set_={
            "is_working": stmt.excluded.is_working, "hours_before": stmt.excluded.hours_before})
        db.session.execute(stmt)
    db.session.flush()


def analytic_transaction(session) -> None:
    """Settings for the report statements of this transaction.

    On PostgreSQL (``SET LOCAL``: this transaction only):

    * ``jit = off``: the JIT compiler spends 0.2-1.5 s compiling plans whose estimated cost
      crosses ``jit_above_cost``, as the period statistics do, to save milliseconds of execution;
    * ``plan_cache_mode = force_custom_plan``: the driver prepares a statement it has run five
      times on a connection, and a prepared statement may then get a generic plan that ignores
      how narrow the period is (a year's scan for a month, seconds instead of milliseconds);
    * ``work_mem = 64MB``: the percentiles of a month's step visits (some 170,000 at province
      scale) are sorted in memory rather than in temporary files."""
    if is_postgresql():
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
