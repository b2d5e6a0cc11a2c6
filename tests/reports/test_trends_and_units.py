"""Trends over twelve months, and the pieces the reports stand on: periods, the working clock, charts."""
import io
import re
from datetime import date, datetime, timedelta

import pytest
from flask import g
from openpyxl import load_workbook
from sqlalchemy import literal, select

from onestop.core import clock
from onestop.core.workdays import CalendarOverride, current_calendar
from onestop.dossiers.models import Dossier
from onestop.reports import statistics, trends
from onestop.reports.charts import Series, bar_chart
from onestop.reports.models import WorkingDay
from onestop.reports.periods import Period, PeriodError
from onestop.reports.workclock import WorkClock, local_date, local_minutes, local_month, working_clock
from tests.conftest import vn
from tests.reports.history import DECEMBER, NOW, december_history


@pytest.fixture
def history(db):
    return december_history(db)


def test_trends_month_by_month_agree_with_the_statistics(db, history, user):
    supervisor = user("hp.supervisor")
    months = {m.period.token: m for m in trends.build(db.session, supervisor, NOW)}
    assert list(months)[0] == "2026-02" and list(months)[-1] == "2027-01"
    assert (months["2026-11"].new, months["2026-11"].finished, months["2026-11"].finished_late) == (4, 1, 0)
    assert (months["2026-12"].new, months["2026-12"].finished, months["2026-12"].finished_late) == (12, 6, 3)
    assert (months["2027-01"].new, months["2027-01"].finished, months["2027-01"].finished_late) == (1, 1, 1)
    december = statistics.build(db.session, supervisor, Period.parse(DECEMBER), NOW).total
    assert (months[DECEMBER].new, months[DECEMBER].finished, months[DECEMBER].finished_late) == (
        december["new"], december["finished"], december["finished_late"])


def test_trends_page_draws_an_svg_linking_each_bar_to_its_list(db, history, client, login_as):
    login_as("hb.supervisor")
    with clock.frozen(NOW):
        page = client.get("/reports/trends").get_data(as_text=True)
        response = client.get("/reports/trends?format=xlsx")
    assert "<svg" in page and 'role="img"' in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/page.js">',
                                                  '<script src="/static/search.js">']  # drawn by the server, no chart script
    assert "/reports/statistics/dossiers?p=2026-12&amp;category=finished_late" in page
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.data)).active.iter_rows()]
    december = next(r for r in rows if r[0] == "Tháng 12/2026")
    assert december[1:4] == [10, 5, 3]  # Hồng Bàng's subtree: the two Lê Chân dossiers left out
    assert "xu-huong_HB_2026-02_2027-01.xlsx" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(("token", "first", "last", "label"), [
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "Tháng 12/2026"),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "Quý I/2026"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
    ("2026-11-15..2026-12-14", date(2026, 11, 15), date(2026, 12, 14), "Từ 15/11/2026 đến 14/12/2026"),
])
def test_periods_are_local_days(token, first, last, label):
    period = Period.parse(token)
    assert (period.first, period.last, period.label, period.token) == (first, last, label, token)
    assert period.start == vn(first.year, first.month, first.day)  # local midnight, as UTC
    assert period.end == vn(last.year, last.month, last.day) + timedelta(days=1)


def test_period_navigation_and_the_form():
    assert Period.parse("2026-01").shifted(-1).token == "2025-12"
    assert Period.parse("2026-Q4").shifted(1).token == "2027-Q1"
    assert Period.from_args({"kind": "quarter", "year": "2026", "quarter": "2"}, date(2026, 12, 1)).token == "2026-Q2"
    assert Period.from_args({}, date(2026, 12, 9)).token == "2026-12"
    with pytest.raises(PeriodError):
        Period.from_args({"kind": "custom", "from": "2026-12-31", "to": "2026-12-01"}, date(2026, 12, 1))


def test_local_date_month_and_minutes_in_sql(db):
    instant = vn(2027, 1, 1, 6, 45)  # 23:45 UTC on 31 December
    row = db.session.execute(select(local_date(_utc(instant)), local_month(_utc(instant)),
                                    local_minutes(_utc(instant)))).one()
    assert (str(row[0]), row[1], row[2]) == ("2027-01-01", "2027-01", pytest.approx(6 * 60 + 45))


def _utc(instant: datetime):
    return literal(instant, Dossier.received_at.type)


def test_the_working_clock_agrees_with_the_calendar(db):
    db.session.add(CalendarOverride(day=date(2026, 12, 12), is_working=True, note="Làm bù thứ Bảy"))
    db.session.add(CalendarOverride(day=date(2026, 12, 15), is_working=False, note="Nghỉ"))
    db.session.flush()
    cal = current_calendar()
    work = WorkClock.build(cal, date(2026, 1, 1), date(2027, 12, 31))
    instants = [vn(2026, 12, 11, 16), vn(2026, 12, 12, 9), vn(2026, 12, 14, 12), vn(2026, 12, 15, 10),
                vn(2026, 12, 31, 17, 30), vn(2027, 1, 4, 7), vn(2027, 2, 20, 14), vn(2026, 4, 30, 9)]
    for a in instants:
        for b in instants:
            if b > a:
                assert work.hours_between(a, b) == pytest.approx(cal.working_hours_between(a, b)), (a, b)
    assert not work.days[date(2026, 12, 15)][0] and work.days[date(2026, 12, 12)][0]


def test_the_working_day_table_follows_the_calendar_in_force(db, app):
    def new_request():
        g.pop("_report_clock", None)
        g.pop("_onestop_calendar", None)

    with app.test_request_context(), clock.frozen(vn(2026, 12, 10, 9)):
        new_request()
        working_clock()
        assert db.session.scalar(select(WorkingDay.is_working).where(WorkingDay.day == date(2026, 12, 12))) is False
        db.session.add(CalendarOverride(day=date(2026, 12, 12), is_working=True, note="Làm bù"))
        db.session.flush()
        new_request()
        again = working_clock()
        assert again.days[date(2026, 12, 12)][0]
        assert db.session.scalar(select(WorkingDay.is_working).where(WorkingDay.day == date(2026, 12, 12))) is True
        hours = db.session.scalar(select(WorkingDay.hours_before).where(WorkingDay.day == date(2026, 12, 14)))
        assert hours == pytest.approx(again.days[date(2026, 12, 14)][1])


def test_bar_chart_scales_and_escapes():
    svg = bar_chart(["11/2026", "12/2026"], [Series("A <b>", "#123456", [3, 17], ["/x?a=1&b=2", None])],
                    title="T & T")
    assert str(svg).startswith("<svg") and "A &lt;b&gt;" in svg and 'href="/x?a=1&amp;b=2"' in svg
    assert ">20<" in svg  # the axis is rounded up to a nice 20
