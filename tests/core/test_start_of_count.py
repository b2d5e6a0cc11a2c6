"""A procedure's same-day cut-off: received after it on a working day, the budget counts from the
opening of the next working day; before it (or without one) from the receipt."""
from datetime import UTC, date, datetime, time

import pytest

from onestop.core.calendar import HOURS_PER_DAY, VN_TZ, OfficeHours, WorkingCalendar

CAL = WorkingCalendar()
THREE_PM = time(15, 0)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


@pytest.mark.parametrize("received", [
    vn(2026, 12, 9, 8, 0),       # Wednesday morning
    vn(2026, 12, 9, 14, 59),
    vn(2026, 12, 9, 15, 0),      # at the cut-off is not after it
    vn(2026, 12, 12, 16, 0),     # Saturday, a day off: counted from Monday's opening anyway
    vn(2026, 12, 13, 9, 0),      # Sunday morning
    vn(2026, 2, 17, 16, 0),      # inside Tết 2026, a day off
])
def test_unchanged_before_the_cut_off_or_on_a_day_off(received):
    assert CAL.start_of_count(received, THREE_PM) is received


def test_without_a_cut_off_nothing_changes():
    received = vn(2026, 12, 9, 16, 30)
    assert CAL.start_of_count(received, None) is received


@pytest.mark.parametrize(("received", "counted_from"), [
    (vn(2026, 12, 9, 15, 0, 1), vn(2026, 12, 10, 7, 30)),   # Wednesday → Thursday
    (vn(2026, 12, 9, 16, 59), vn(2026, 12, 10, 7, 30)),
    (vn(2026, 12, 9, 18, 0), vn(2026, 12, 10, 7, 30)),      # after closing: the same as without a cut-off
    (vn(2026, 12, 11, 15, 30), vn(2026, 12, 14, 7, 30)),    # Friday → Monday
    (vn(2026, 8, 22, 15, 30), vn(2026, 8, 24, 7, 30)),      # make-up Saturday 22 Aug 2026 is a working day
    (vn(2026, 8, 28, 15, 30), vn(2026, 9, 3, 7, 30)),       # eve of National Day: 29 Aug-2 Sep off, Mon 31 swapped
    (vn(2026, 2, 13, 15, 30), vn(2026, 2, 23, 7, 30)),      # eve of Tết 2026 (14-22 Feb)
    (vn(2026, 4, 29, 16, 0), vn(2026, 5, 4, 7, 30)),        # eve of 30/4 and 1/5
])
def test_after_the_cut_off_counts_from_the_next_working_days_opening(received, counted_from):
    start = CAL.start_of_count(received, THREE_PM)
    assert start == counted_from and start.tzinfo == UTC


def test_admin_overrides_are_followed():
    received = vn(2026, 12, 9, 15, 30)
    day_off = WorkingCalendar(overrides={date(2026, 12, 10): False})
    assert day_off.start_of_count(received, THREE_PM) == vn(2026, 12, 11, 7, 30)
    saturday = vn(2026, 12, 12, 15, 30)
    make_up = WorkingCalendar(overrides={date(2026, 12, 12): True})
    assert make_up.start_of_count(saturday, THREE_PM) == vn(2026, 12, 14, 7, 30)
    assert make_up.start_of_count(vn(2026, 12, 12, 10, 0), THREE_PM) == vn(2026, 12, 12, 10, 0)


def test_the_next_opening_follows_the_configured_office_hours():
    cal = WorkingCalendar(OfficeHours.parse("08:00-12:00,13:30-17:30"))
    assert cal.start_of_count(vn(2026, 12, 9, 16, 0), THREE_PM) == vn(2026, 12, 10, 8, 0)


def test_one_working_day_after_the_cut_off_ends_at_the_next_days_closing():
    """The budget of a 1-day procedure filed at 15:30 on Friday 13 Feb 2026: Monday 23 Feb 17:00,
    not 15:30 as when the 1.5 h left on Friday counted."""
    received = vn(2026, 2, 13, 15, 30)
    assert CAL.add_working_hours(received, HOURS_PER_DAY) == vn(2026, 2, 23, 15, 30)
    assert CAL.add_working_hours(CAL.start_of_count(received, THREE_PM), HOURS_PER_DAY) == vn(2026, 2, 23, 17, 0)


def test_a_naive_receipt_is_refused():
    with pytest.raises(ValueError):
        CAL.start_of_count(datetime(2026, 12, 9, 16, 0), THREE_PM)
