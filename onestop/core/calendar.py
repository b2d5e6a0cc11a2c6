"""The working calendar: the single source of working time for deadlines.

Office hours are wall-clock times in Vietnam (``VN_TZ``). A day is a working day when it is
Monday-Friday and not a public holiday, or a weekend day announced as a make-up working day;
admin overrides win over both. Public holidays, their substituted days off and the make-up
Saturdays come from the ``holidays`` package, whose years not yet announced are rule-based
guesses; that is why overrides exist.

All arithmetic on instants is done in UTC with ``timedelta`` (integer microseconds), so
fractional budgets do not drift and the result does not depend on the caller's time zone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS_PER_DAY = 8

_ONE_HOUR = timedelta(hours=1)
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# A calendar whose overrides turn every day off would otherwise search forever.
_MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class OfficeHours:
    """Daily office periods, local Vietnam time, ascending and non-overlapping."""

    periods: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(17, 0)),
    )

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("office hours need at least one period")
        previous_end: time | None = None
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office hours are local Vietnam times and must be naive")
            if start >= end:
                raise ValueError(
                    f"office period {start:%H:%M}-{end:%H:%M} must end after it starts"
                )
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    f"office period {start:%H:%M}-{end:%H:%M} overlaps or precedes the "
                    "previous one; list periods in ascending order"
                )
            previous_end = end
        object.__setattr__(self, "periods", periods)

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse ``"07:30-11:30,13:00-17:00"`` (spaces allowed around separators)."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("office hours are empty; expected e.g. '07:30-11:30,13:00-17:00'")
        periods = []
        for chunk in text.split(","):
            bounds = chunk.split("-")
            if len(bounds) != 2:
                raise ValueError(f"office period {chunk.strip()!r} must look like 'HH:MM-HH:MM'")
            periods.append((_parse_time(bounds[0]), _parse_time(bounds[1])))
        return cls(tuple(periods))

    def __str__(self) -> str:
        return ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in self.periods)

    @property
    def daily_duration(self) -> timedelta:
        return sum(
            (
                datetime.combine(date.min, end) - datetime.combine(date.min, start)
                for start, end in self.periods
            ),
            timedelta(0),
        )


def _parse_time(text: str) -> time:
    match = _TIME_RE.match(text.strip())
    if match is None:
        raise ValueError(
            f"invalid time {text.strip()!r} in office hours; expected HH:MM (00:00-23:59)"
        )
    return time(int(match.group(1)), int(match.group(2)))


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


class WorkingCalendar:
    """Working days and office hours for deadline arithmetic.

    ``overrides`` maps a date to ``True`` (make-up working day, e.g. a Saturday) or ``False``
    (extra day off); an override wins over weekends and holidays alike.
    """

    def __init__(
        self,
        office_hours: OfficeHours | None = None,
        overrides: Mapping[date, bool] | None = None,
        country: str = "VN",
        language: str | None = "vi",
    ) -> None:
        self.office_hours = office_hours or OfficeHours()
        self.overrides: dict[date, bool] = dict(overrides or {})
        self.country = country
        self.language = language
        self._names: dict[date, str] = {}
        self._weekend_workdays: set[date] = set()
        self._loaded_years: set[int] = set()
        self._lock = threading.Lock()

    def _ensure_year(self, year: int) -> None:
        """Load the holidays of ``year`` and its neighbours, once.

        A swap can cross the new year (e.g. 2 Jan 2015 off for Sat 27 Dec 2014 worked) and the
        package records the make-up day with the year of the day off, so neighbours are needed.
        """
        needed = {year - 1, year, year + 1} - self._loaded_years
        if not needed:
            return
        with self._lock:
            for y in sorted(needed - self._loaded_years):
                names, weekend_workdays = _holiday_table(self.country, self.language, y)
                self._names.update(names)
                self._weekend_workdays.update(weekend_workdays)
                self._loaded_years.add(y)

    def is_working_day(self, d: date) -> bool:
        override = self.overrides.get(d)
        if override is not None:
            return override
        self._ensure_year(d.year)
        if d.weekday() >= 5:
            return d in self._weekend_workdays
        return d not in self._names

    def holiday_name(self, d: date) -> str | None:
        """Name of the public holiday or substituted day off on ``d``.

        ``None`` when ``d`` is not a holiday or an override makes it a working day.
        """
        if self.overrides.get(d) is True:
            return None
        self._ensure_year(d.year)
        return self._names.get(d)

    def public_holidays(self, year: int) -> list[tuple[date, str]]:
        """The package's public holidays and substituted days off in ``year``, by date.

        Overrides are not applied; ``is_working_day`` tells what counts.
        """
        names, _ = _holiday_table(self.country, self.language, year)
        return sorted((d, name) for d, name in names.items() if d.year == year)

    def make_up_days(self, year: int) -> list[date]:
        """Weekend days the package announces as working days (day swaps) in ``year``."""
        days: set[date] = set()
        for y in (year - 1, year, year + 1):
            days |= _holiday_table(self.country, self.language, y)[1]
        return sorted(d for d in days if d.year == year)

    def _working_days(self, day: date, step: int = 1) -> Iterator[date]:
        """``day`` if it is a working day, then every working day after it (``step`` -1: before it)."""
        idle_days = 0
        while True:
            if self.is_working_day(day):
                idle_days = 0
                yield day
            else:
                idle_days += 1
                if idle_days > _MAX_SEARCH_DAYS:
                    raise RuntimeError(f"no working day within {_MAX_SEARCH_DAYS} days of {day}")
            day += timedelta(days=step)

    def _periods_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Office periods (UTC) on working days, the first one clipped to start at ``at``."""
        at = at.astimezone(UTC)
        for day in self._working_days(at.astimezone(VN_TZ).date()):
            for start, end in _utc_periods(self.office_hours, day):
                if end > at:
                    yield max(start, at), end

    def next_working_moment(self, at: datetime) -> datetime:
        """``at`` itself (UTC) if inside office hours, else the start of the next office period."""
        _require_aware(at, "at")
        start, _ = next(self._periods_from(at))
        return start

    def start_of_count(self, received_at: datetime, cutoff: time | None) -> datetime:
        """Where the budget of a dossier received at ``received_at`` starts counting.

        ``cutoff`` is a procedure's same-day cut-off (local time, e.g. 15:00): a dossier received
        on a working day after it counts from the opening of the next working day. Otherwise, and
        without a cut-off, ``received_at`` itself is returned (``add_working_hours`` then starts at
        the next working moment, so a dossier received on a day off already counts from the next
        working day's opening and is not pushed a day further).
        """
        _require_aware(received_at, "received_at")
        if cutoff is None:
            return received_at
        local = received_at.astimezone(VN_TZ)
        if local.time() <= cutoff or not self.is_working_day(local.date()):
            return received_at
        next_day = self.add_working_days(local.date(), 1)
        return datetime.combine(next_day, self.office_hours.periods[0][0], tzinfo=VN_TZ).astimezone(UTC)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The UTC instant ``hours`` of office time after ``start``.

        Counting starts at the next working moment. A budget used up exactly at the end of a
        period returns that end (e.g. 17:00 local), not the next morning; a zero budget
        returns the next working moment.
        """
        _require_aware(start, "start")
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(seconds=round(hours * 3600))
        periods = self._periods_from(start)
        period_start, period_end = next(periods)
        while True:
            available = period_end - period_start
            if remaining <= available:
                return period_start + remaining
            remaining -= available
            period_start, period_end = next(periods)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed from ``start`` to ``end``; 0 if ``end`` is not after ``start``."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        end = end.astimezone(UTC)
        if end <= start:
            return 0.0
        total = timedelta(0)
        for period_start, period_end in self._periods_from(start):
            if period_start >= end:
                break
            total += min(period_end, end) - period_start
        return total / _ONE_HOUR

    def _periods_before(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Office periods (UTC) on working days going back in time, the first one clipped to end at ``at``."""
        at = at.astimezone(UTC)
        for day in self._working_days(at.astimezone(VN_TZ).date(), -1):
            for start, end in reversed(_utc_periods(self.office_hours, day)):
                if start < at:
                    yield start, min(end, at)

    def subtract_working_hours(self, end: datetime, hours: float) -> datetime:
        """The latest UTC instant ``x`` with ``working_hours_between(x, end) >= hours``.

        The inverse of ``add_working_hours``: an instant ``t`` is at least ``hours`` of office
        time before ``end`` exactly when ``t <= subtract_working_hours(end, hours)``, which lets a
        query compare a column with one precomputed instant instead of doing calendar arithmetic
        per row. A budget used up exactly at the start of a period returns that start (e.g.
        07:30 local), the latest such instant; a zero budget returns ``end``.
        """
        _require_aware(end, "end")
        if hours < 0:
            raise ValueError("hours must not be negative")
        end = end.astimezone(UTC)
        remaining = timedelta(seconds=round(hours * 3600))
        if not remaining:
            return end
        for period_start, period_end in self._periods_before(end):
            available = period_end - period_start
            if remaining <= available:
                return period_end - remaining
            remaining -= available
        raise AssertionError("unreachable: _periods_before never ends")  # pragma: no cover

    def subtract_working_hours_repeatedly(self, end: datetime, hours: float, count: int) -> list[datetime]:
        """``[end, subtract(end, hours), subtract(end, 2 * hours), …]``, ``count + 1`` instants, in one
        walk back through the office periods (the deadline sweep's cutoffs: one per working day)."""
        _require_aware(end, "end")
        if hours <= 0:
            raise ValueError("hours must be positive")
        end = end.astimezone(UTC)
        step = timedelta(seconds=round(hours * 3600))
        out = [end]
        remaining = step
        periods = self._periods_before(end)
        while len(out) <= count:
            period_start, period_end = next(periods)
            while True:
                available = period_end - period_start
                if remaining > available:
                    remaining -= available
                    break
                period_end -= remaining
                out.append(period_end)
                remaining = step
                if len(out) > count:
                    break
        return out

    def add_working_days(self, d: date, days: int) -> date:
        """The date ``days`` working days after ``d``, not counting ``d``; negative counts back."""
        if days == 0:
            return d
        step = 1 if days > 0 else -1
        return next(islice(self._working_days(d + timedelta(days=step), step), abs(days) - 1, None))


def local_time_text(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An instant as Vietnam wall time, ``fmt`` as for ``strftime``; "" for none.

    Pages, e-mails, history notes and slips all write times through this one function."""
    return "" if value is None else value.astimezone(VN_TZ).strftime(fmt)


@lru_cache(maxsize=64)
def _holiday_table(country: str, language: str | None, year: int) -> tuple[dict[date, str], frozenset[date]]:
    """One year of public holidays and make-up working days, built once per process.

    Building a year with the ``holidays`` package takes about a millisecond; the deadline sweep
    makes a calendar every few minutes and must not pay it each time.
    """
    table = holidays.country_holidays(country, years=year, language=language)
    return dict(table.items()), frozenset(table.weekend_workdays)


@lru_cache(maxsize=4096)
def _utc_periods(office_hours: OfficeHours, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The office periods of ``day`` as UTC instants (the deadline sweep walks back through many days)."""
    return tuple((datetime.combine(day, start, tzinfo=VN_TZ).astimezone(UTC),
                  datetime.combine(day, end, tzinfo=VN_TZ).astimezone(UTC)) for start, end in office_hours.periods)
