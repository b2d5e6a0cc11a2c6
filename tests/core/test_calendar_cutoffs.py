"""Counting working time backwards: the cutoffs the deadline sweep compares due times with."""
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.core.calendar import HOURS_PER_DAY, VN_TZ, WorkingCalendar


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


CAL = WorkingCalendar()


def test_one_working_day_back_over_tet_2026() -> None:
    # Monday 23 Feb 09:00: 1.5 h that morning, then back over Tết (14-22 Feb) to Friday 13 Feb.
    assert CAL.subtract_working_hours(vn(2026, 2, 23, 9), HOURS_PER_DAY) == vn(2026, 2, 13, 9)


def test_one_working_day_back_over_national_day_2026_and_its_swap() -> None:
    # Thursday 3 Sep 08:00: 1-2 Sep holidays, Mon 31 Aug off (swapped), so back to Friday 28 Aug.
    assert CAL.subtract_working_hours(vn(2026, 9, 3, 8), HOURS_PER_DAY) == vn(2026, 8, 28, 8)


def test_the_make_up_saturday_counts_backwards_too() -> None:
    assert CAL.subtract_working_hours(vn(2026, 8, 24, 8), HOURS_PER_DAY) == vn(2026, 8, 22, 8)
    with_override = WorkingCalendar(overrides={date(2026, 8, 22): False})
    assert with_override.subtract_working_hours(vn(2026, 8, 24, 8), HOURS_PER_DAY) == vn(2026, 8, 21, 8)


def test_after_hours_counts_the_whole_day() -> None:
    # at 20:00 the whole of today's office hours are behind: one working day back is this morning's opening
    assert CAL.subtract_working_hours(vn(2026, 12, 7, 20), HOURS_PER_DAY) == vn(2026, 12, 7, 7, 30)
    # exactly at opening nothing of today counts: back to the previous working day's opening
    assert CAL.subtract_working_hours(vn(2026, 12, 7, 7, 30), HOURS_PER_DAY) == vn(2026, 12, 4, 7, 30)


def test_zero_and_negative() -> None:
    at = vn(2026, 12, 7, 12, 0)
    assert CAL.subtract_working_hours(at, 0) == at
    with pytest.raises(ValueError):
        CAL.subtract_working_hours(at, -1)
    with pytest.raises(ValueError):
        CAL.subtract_working_hours(datetime(2026, 12, 7, 12), 1)


def test_holidays_and_make_up_days_of_a_year() -> None:
    holidays_2026 = dict(CAL.public_holidays(2026))
    assert date(2026, 8, 31) in holidays_2026 and date(2026, 4, 27) in holidays_2026
    assert CAL.make_up_days(2026) == [date(2026, 8, 22)]
    assert CAL.make_up_days(2025) == [date(2025, 4, 26)]


@settings(max_examples=200, deadline=None)
@given(
    end=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31, 23, 59),
                     timezones=st.just(UTC)),
    quarters=st.integers(min_value=1, max_value=800),
)
def test_subtract_is_the_latest_instant_that_far_back(end: datetime, quarters: int) -> None:
    """``t <= subtract(end, h)`` exactly when ``working_hours_between(t, end) >= h``."""
    hours = quarters / 4
    cutoff = CAL.subtract_working_hours(end, hours)
    assert cutoff <= end
    assert CAL.working_hours_between(cutoff, end) == hours
    assert CAL.working_hours_between(cutoff + timedelta(minutes=1), end) < hours
    assert CAL.working_hours_between(cutoff - timedelta(days=3), end) >= hours


@settings(max_examples=100, deadline=None)
@given(
    end=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31, 23, 59),
                     timezones=st.just(UTC)),
    quarters=st.integers(min_value=1, max_value=64),
    count=st.integers(min_value=0, max_value=70),
)
def test_repeated_subtraction_in_one_walk(end: datetime, quarters: int, count: int) -> None:
    hours = quarters / 4
    one_by_one = [end]
    for _ in range(count):
        one_by_one.append(CAL.subtract_working_hours(one_by_one[-1], hours))
    assert CAL.subtract_working_hours_repeatedly(end, hours, count) == one_by_one
    assert one_by_one[-1] == CAL.subtract_working_hours(end, hours * count)
