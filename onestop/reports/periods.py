"""Reporting periods: a month, a quarter, a year or custom dates, in local (Asia/Ho_Chi_Minh) days.

A period is a range of local dates, first and last included; in the database (UTC) it is the
half-open range [local midnight of ``first``, local midnight after ``last``). Links carry it as one
token: ``2026-12``, ``2026-Q4``, ``2026`` or ``2026-12-01..2026-12-31``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from onestop.core.calendar import VN_TZ

KINDS = ("month", "quarter", "year", "custom")
_ROMAN = ("I", "II", "III", "IV")
#: the longest custom period a report accepts
MAX_DAYS = 3 * 366


#: the years a report period may cover: before, nothing was received; after, dates overflow
FIRST_YEAR, LAST_YEAR = 2000, 2099


class PeriodError(ValueError):
    """The period asked for is not valid; ``str(exc)`` is the reason for the user."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VN_TZ).astimezone(UTC)


def local_today(now: datetime) -> date:
    return now.astimezone(VN_TZ).date()


@dataclass(frozen=True)
class Period:
    kind: str
    first: date
    last: date

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        return cls("month", first, following - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise PeriodError(_("Quý phải từ 1 đến 4."))
        start = cls.month(year, 3 * quarter - 2)
        return cls("quarter", start.first, cls.month(year, 3 * quarter).last)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def custom(cls, first: date, last: date) -> Period:
        if last < first:
            raise PeriodError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        if (last - first).days >= MAX_DAYS:
            raise PeriodError(_("Khoảng thời gian tối đa là 3 năm."))
        return cls("custom", first, last)

    @classmethod
    def parse(cls, token: str) -> Period:
        token = (token or "").strip()
        try:
            if m := re.fullmatch(r"(\d{4})-(\d{2})", token):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-Q([1-4])", token, re.IGNORECASE):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"\d{4}", token):
                return cls.year(int(token))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", token):
                return cls.custom(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(_("Kỳ báo cáo không hợp lệ: %(token)s", token=token)) from exc
        raise PeriodError(_("Kỳ báo cáo không hợp lệ: %(token)s", token=token))

    @classmethod
    def from_args(cls, args, today: date) -> Period:
        """From a link (``p``) or the period form (``kind`` with ``month``/``quarter``/``year``/``from``/``to``),
        within the years the system can hold (``FIRST_YEAR``…``LAST_YEAR``)."""
        period = cls._from_args(args, today)
        if period.first.year < FIRST_YEAR or period.last.year > LAST_YEAR:
            raise PeriodError(_("Kỳ báo cáo phải trong các năm %(first)s–%(last)s.", first=FIRST_YEAR, last=LAST_YEAR))
        return period

    @classmethod
    def _from_args(cls, args, today: date) -> Period:
        if args.get("p"):
            return cls.parse(args["p"])
        kind = args.get("kind") or "month"
        try:
            if kind == "month":
                value = args.get("month") or f"{today:%Y-%m}"
                year, month = (int(x) for x in value.split("-"))
                return cls.month(year, month)
            year = int(args.get("year") or today.year)
            if kind == "quarter":
                return cls.quarter(year, int(args.get("quarter") or (today.month - 1) // 3 + 1))
            if kind == "year":
                return cls.year(year)
            if kind == "custom":
                return cls.custom(date.fromisoformat(args.get("from", "")), date.fromisoformat(args.get("to", "")))
        except PeriodError:
            raise
        except (ValueError, OverflowError) as exc:
            raise PeriodError(_("Kỳ báo cáo không hợp lệ.")) from exc
        raise PeriodError(_("Kỳ báo cáo không hợp lệ."))

    # -- bounds -----------------------------------------------------------------------------
    @property
    def start(self) -> datetime:
        """Local midnight starting ``first``, as aware UTC."""
        return _midnight(self.first)

    @property
    def end(self) -> datetime:
        """Local midnight after ``last`` (excluded), as aware UTC."""
        return _midnight(self.last + timedelta(days=1))

    # -- names ------------------------------------------------------------------------------
    @property
    def token(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def slug(self) -> str:
        """For file names."""
        return self.token.replace("..", "_")

    @property
    def label(self) -> str:
        """In the language of the request (the exports ask for it in Vietnamese)."""
        if self.kind == "month":
            return _("Tháng %(month)s/%(year)s", month=f"{self.first.month:02d}", year=self.first.year)
        if self.kind == "quarter":
            return _("Quý %(quarter)s/%(year)s", quarter=_ROMAN[(self.first.month - 1) // 3], year=self.first.year)
        if self.kind == "year":
            return _("Năm %(year)s", year=self.first.year)
        return _("Từ %(first)s đến %(last)s", first=f"{self.first:%d/%m/%Y}", last=f"{self.last:%d/%m/%Y}")

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` before (negative) or after of the same kind and length."""
        if self.kind == "month":
            index = self.first.year * 12 + self.first.month - 1 + steps
            return Period.month(index // 12, index % 12 + 1)
        if self.kind == "quarter":
            index = self.first.year * 4 + (self.first.month - 1) // 3 + steps
            return Period.quarter(index // 4, index % 4 + 1)
        if self.kind == "year":
            return Period.year(self.first.year + steps)
        length = (self.last - self.first).days + 1
        return Period.custom(self.first + timedelta(days=length * steps), self.last + timedelta(days=length * steps))


def last_months(today: date, count: int = 12) -> list[Period]:
    """The ``count`` months ending with the current one, oldest first."""
    current = Period.month(today.year, today.month)
    return [current.shifted(-i) for i in range(count - 1, -1, -1)]
