"""Working calendar against real Vietnamese dates (see PROCEDURES.md, "Working calendar facts")."""

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.core.calendar import HOURS_PER_DAY, VN_TZ, OfficeHours, WorkingCalendar


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- working days --------------------------------------------------------------------------


def test_tet_2026_whole_break_is_off(cal: WorkingCalendar) -> None:
    # The package lists the statutory 16-20 Feb; 14-15 and 21-22 are weekends.
    for d in days(date(2026, 2, 16), date(2026, 2, 20)):
        assert cal.holiday_name(d) is not None, d
    for d in days(date(2026, 2, 14), date(2026, 2, 22)):
        assert not cal.is_working_day(d), d
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))


def test_one_day_budget_spans_tet_2026(cal: WorkingCalendar) -> None:
    # Fri 13 Feb: 1 h left (16:00-17:00); Mon 23 Feb: 4 h morning + 3 h from 13:00.
    assert cal.add_working_hours(vn(2026, 2, 13, 16), HOURS_PER_DAY) == vn(2026, 2, 23, 16)


def test_tet_2027_statutory_days_off_and_budget_spans_them(cal: WorkingCalendar) -> None:
    # Lunar new year is Sat 6 Feb 2027; 2027 is not announced yet, so only the weekdays that any
    # split of the five statutory days covers (Eve 5 Feb, 3rd and 4th day 8-9 Feb) are asserted.
    for d in (date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9)):
        assert not cal.is_working_day(d), d
        assert cal.holiday_name(d) is not None, d
    filed = vn(2027, 2, 3, 14)
    due = cal.add_working_hours(filed, HOURS_PER_DAY).astimezone(VN_TZ)
    # 3 h on Wed 3 Feb, the other 5 h on the first working day after the break.
    assert due.date() > date(2027, 2, 9)
    assert due.time() == time(14, 0)
    assert cal.working_hours_between(filed, due) == HOURS_PER_DAY


def test_national_day_2026_swap(cal: WorkingCalendar) -> None:
    # The package has both halves of the swap: Mon 31 Aug off, Sat 22 Aug worked.
    assert not cal.is_working_day(date(2026, 8, 31))
    assert "22/08/2026" in (cal.holiday_name(date(2026, 8, 31)) or "")
    assert cal.is_working_day(date(2026, 8, 22))
    assert cal.holiday_name(date(2026, 8, 22)) is None
    for d in days(date(2026, 8, 29), date(2026, 9, 2)):
        assert not cal.is_working_day(d), d
    assert cal.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert cal.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)


def test_make_up_saturday_2026_counts_office_hours(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(vn(2026, 8, 21, 16), HOURS_PER_DAY) == vn(2026, 8, 22, 16)


def test_hung_kings_2026_on_sunday_gives_monday_off(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2026, 4, 26))
    assert not cal.is_working_day(date(2026, 4, 27))
    assert "Hùng Vương" in (cal.holiday_name(date(2026, 4, 27)) or "")
    assert cal.is_working_day(date(2026, 4, 28))


@pytest.mark.parametrize(
    ("worked_saturday", "day_off"),
    [
        (date(2024, 5, 4), date(2024, 4, 29)),
        (date(2025, 4, 26), date(2025, 5, 2)),
        # Crosses the new year: the package files Sat 27 Dec 2014 under 2015.
        (date(2014, 12, 27), date(2015, 1, 2)),
    ],
)
def test_announced_swaps(cal: WorkingCalendar, worked_saturday: date, day_off: date) -> None:
    assert worked_saturday.weekday() == 5
    assert cal.is_working_day(worked_saturday)
    assert not cal.is_working_day(day_off)


def test_ordinary_weekend_is_off(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2026, 3, 14))
    assert not cal.is_working_day(date(2026, 3, 15))
    assert cal.is_working_day(date(2026, 3, 16))


def test_make_up_saturday_override() -> None:
    plain = WorkingCalendar()
    swapped = WorkingCalendar(overrides={date(2026, 1, 10): True})
    assert not plain.is_working_day(date(2026, 1, 10))
    assert swapped.is_working_day(date(2026, 1, 10))
    assert plain.add_working_hours(vn(2026, 1, 9, 17), 4) == vn(2026, 1, 12, 11, 30)
    assert swapped.add_working_hours(vn(2026, 1, 9, 17), 4) == vn(2026, 1, 10, 11, 30)


def test_extra_day_off_override() -> None:
    cal = WorkingCalendar(overrides={date(2026, 1, 12): False})
    assert not cal.is_working_day(date(2026, 1, 12))
    # 1 h on Fri 9 Jan, Mon 12 Jan skipped, 1 h on Tue 13 Jan.
    assert cal.add_working_hours(vn(2026, 1, 9, 16), 2) == vn(2026, 1, 13, 8, 30)
    assert cal.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 13)


def test_override_removes_a_package_holiday() -> None:
    # Vietnam Culture Day (24 Nov, from 2026) is in the package but its legal status is unconfirmed.
    plain = WorkingCalendar()
    assert not plain.is_working_day(date(2026, 11, 24))
    cal = WorkingCalendar(overrides={date(2026, 11, 24): True})
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.holiday_name(date(2026, 11, 24)) is None


# --- office hours arithmetic ---------------------------------------------------------------


def test_filing_at_1659_before_national_day_weekend(cal: WorkingCalendar) -> None:
    # 1 min on Fri 28 Aug; 29 Aug-2 Sep off; Thu 3 Sep: 4 h morning + 3 h 59 min from 13:00.
    due = cal.add_working_hours(vn(2026, 8, 28, 16, 59), HOURS_PER_DAY)
    assert due == datetime(2026, 9, 3, 9, 59, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_filing_at_1701_before_national_day_weekend(cal: WorkingCalendar) -> None:
    # After hours: counting starts Thu 3 Sep 07:30 and a full day ends at 17:00, not Fri 07:30.
    due = cal.add_working_hours(datetime(2026, 8, 28, 10, 1, tzinfo=UTC), HOURS_PER_DAY)
    assert due == datetime(2026, 9, 3, 10, 0, tzinfo=UTC)
    assert due.astimezone(VN_TZ) == vn(2026, 9, 3, 17)


def test_budget_spanning_labour_day_long_weekend(cal: WorkingCalendar) -> None:
    # Wed 29 Apr 2026 10:00: 5.5 h; 30 Apr-3 May off; Mon 4 May 8 h; Tue 5 May 2.5 h.
    assert cal.add_working_hours(vn(2026, 4, 29, 10), 16) == vn(2026, 5, 5, 10)


def test_lunch_break_is_skipped(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(vn(2026, 3, 10, 11), 1) == vn(2026, 3, 10, 13, 30)
    assert cal.add_working_hours(vn(2026, 3, 10, 12), 0.5) == vn(2026, 3, 10, 13, 30)
    assert cal.working_hours_between(vn(2026, 3, 10, 11), vn(2026, 3, 10, 13, 30)) == 1


def test_budget_ending_at_period_end_returns_that_end(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(vn(2026, 3, 10, 16), 1) == vn(2026, 3, 10, 17)
    assert cal.add_working_hours(vn(2026, 3, 10, 10, 30), 1) == vn(2026, 3, 10, 11, 30)


def test_zero_budget_is_next_working_moment(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(vn(2026, 3, 10, 10), 0) == vn(2026, 3, 10, 10)
    assert cal.add_working_hours(vn(2026, 3, 10, 17), 0) == vn(2026, 3, 11, 7, 30)
    assert cal.add_working_hours(vn(2026, 3, 10, 12), 0) == vn(2026, 3, 10, 13)
    assert cal.next_working_moment(vn(2026, 3, 13, 18)) == vn(2026, 3, 16, 7, 30)
    assert cal.next_working_moment(vn(2026, 3, 10, 6)) == vn(2026, 3, 10, 7, 30)
    assert cal.next_working_moment(vn(2026, 3, 10, 10)).tzinfo is UTC


def test_fractional_hours(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(vn(2026, 3, 10, 7, 30), 0.5) == vn(2026, 3, 10, 8)
    assert cal.add_working_hours(vn(2026, 3, 10, 7, 30), 0.25) == vn(2026, 3, 10, 7, 45)
    assert cal.add_working_hours(vn(2026, 3, 10, 11), 0.1) == vn(2026, 3, 10, 11, 6)


def test_long_budget_is_fast_and_consistent_with_working_days(cal: WorkingCalendar) -> None:
    start = vn(2026, 1, 5, 7, 30)
    began = wallclock.perf_counter()
    due = cal.add_working_hours(start, 400)
    assert wallclock.perf_counter() - began < 0.5
    # 400 h from the opening of Mon 5 Jan ends at closing time of its 50th working day.
    last_day = cal.add_working_days(date(2026, 1, 5), 49)
    assert due == datetime.combine(last_day, time(17), tzinfo=VN_TZ)
    assert cal.working_hours_between(start, due) == 400


def test_working_hours_between_edges(cal: WorkingCalendar) -> None:
    assert cal.working_hours_between(vn(2026, 3, 10, 12), vn(2026, 3, 10, 10)) == 0
    assert cal.working_hours_between(vn(2026, 3, 10, 10), vn(2026, 3, 10, 10)) == 0
    assert cal.working_hours_between(vn(2026, 3, 13, 17), vn(2026, 3, 16, 7, 30)) == 0
    assert cal.working_hours_between(vn(2026, 3, 13, 16), vn(2026, 3, 16, 8)) == 1.5


def test_naive_datetimes_are_rejected(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_hours(datetime(2026, 3, 10, 10), 1)
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_hours(vn(2026, 3, 10, 10), -1)


def test_add_working_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    # New Year 2028 falls on a Saturday, so Mon 3 Jan is the day off in lieu.
    assert not cal.is_working_day(date(2028, 1, 3))
    assert cal.add_working_days(date(2027, 12, 31), 1) == date(2028, 1, 4)


def test_custom_office_hours() -> None:
    cal = WorkingCalendar(office_hours=OfficeHours.parse("08:00-12:00,13:30-17:30"))
    assert cal.add_working_hours(vn(2026, 3, 10, 11), 2) == vn(2026, 3, 10, 14, 30)


_SHARED = WorkingCalendar()
_ZONES = st.sampled_from(
    [UTC, VN_TZ, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]
)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31, 23, 59),
        timezones=_ZONES,
        allow_imaginary=False,
    ),
    quarters=st.integers(min_value=0, max_value=800),
)
def test_working_hours_between_inverts_add_working_hours(start: datetime, quarters: int) -> None:
    cal = _SHARED
    hours = quarters / 4
    due = cal.add_working_hours(start, hours)
    assert due >= start
    assert cal.working_hours_between(cal.next_working_moment(start), due) == hours
    assert cal.working_hours_between(start, due) == hours


# --- OfficeHours.parse ---------------------------------------------------------------------


def test_parse_default_and_spaces() -> None:
    assert OfficeHours.parse("07:30-11:30,13:00-17:00") == OfficeHours()
    assert OfficeHours.parse(" 07:30 - 11:30 , 13:00-17:00 ") == OfficeHours()
    assert OfficeHours.parse("8:00-16:00").periods == ((time(8), time(16)),)
    assert str(OfficeHours()) == "07:30-11:30,13:00-17:00"
    assert OfficeHours().daily_duration == timedelta(hours=HOURS_PER_DAY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "07:30",
        "07:30-11:30;13:00-17:00",
        "07:30-11:30,",
        "07:30-11:30-12:00",
        "7:30-25:00",
        "07:60-11:30",
        "ab:cd-11:30",
        "0730-1130",
        "11:30-07:30",
        "07:30-07:30",
        "07:30-11:30,11:00-17:00",
        "13:00-17:00,07:30-11:30",
    ],
)
def test_parse_rejects_bad_input(text: str) -> None:
    with pytest.raises(ValueError):
        OfficeHours.parse(text)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        OfficeHours(((time(12), time(8)),))
    with pytest.raises(ValueError, match="at least one period"):
        OfficeHours(())
