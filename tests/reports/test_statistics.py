"""The official statistics of a period against a small history whose every count is known by hand."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.reports import statistics
from onestop.reports.periods import Period
from tests.reports.history import DECEMBER, EXPECTED, LE_CHAN, NOW, december_history


@pytest.fixture
def history(db):
    return december_history(db)


def _agency(db, code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def _ids(history, names) -> set[int]:
    return {history.dossiers[n].id for n in names}


def _december(db, username, user):
    return statistics.build(db.session, user(username), Period.parse(DECEMBER), NOW)


def test_each_count_of_december_is_known_by_hand(db, history, user):
    report = _december(db, "hp.supervisor", user)
    assert report.total.as_dict() == {key: len(names) for key, names in EXPECTED.items()}
    assert report.total.on_time_rate == pytest.approx(3 / 6)  # early 2 + on time 1 of 6 finished
    assert report.total.online_rate == pytest.approx(2 / 12)


def test_the_counts_add_up_on_every_row(db, history, user):
    report = _december(db, "hp.supervisor", user)
    rows = [report.total] + [r.counts for r in report.agencies] + [p.counts for p in report.procedures]
    for counts in rows:
        for total, parts in statistics.IDENTITIES:
            assert counts[total] == sum(counts[p] for p in parts), (total, parts, counts.as_dict())
    # the agency rows roll up: a parent is its own dossiers plus its children's
    by_code = {(r.agency.code, r.own): r.counts["received"] for r in report.agencies}
    assert by_code[("HP", False)] == 15
    assert by_code[("HB", False)] == 13 and by_code[("HB", True)] == 1  # the land dossier, received at HB
    assert by_code[("HBMK", False)] == 11 and by_code[("HBQT", False)] == 1
    assert by_code[("LC", False)] == 2 and by_code[("LCAB", False)] == 2
    assert by_code[("STNMT", False)] == 0  # the land dossier it appraises is counted where it was received
    assert sum(p.counts["received"] for p in report.procedures) == 15


def test_online_rate_by_service_level(db, history, user):
    report = _december(db, "hp.supervisor", user)
    levels = {s.service_level: (s.new, s.online) for s in report.service_levels}
    # copy certification (level 2): C D F G K L M; birth (level 4): E H J Q; land (level 3): I
    assert levels == {2: (7, 0), 3: (1, 0), 4: (4, 2)}


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_every_number_drills_down_to_the_same_dossiers(db, history, user, category):
    w = statistics.Window.of(Period.parse(DECEMBER), NOW)
    query = statistics.dossiers_query(w, user("hp.supervisor"), statistics.BY_KEY[category])
    assert {d.id for d in db.session.scalars(query)} == _ids(history, EXPECTED[category])


def test_drill_down_by_agency_and_procedure(db, history, user):
    w = statistics.Window.of(Period.parse(DECEMBER), NOW)
    supervisor = user("hp.supervisor")
    hb = _agency(db, "HB")
    finished_late = statistics.BY_KEY["finished_late"]
    in_hb = statistics.dossiers_query(w, supervisor, statistics.BY_KEY["received"], [hb.id])
    assert {d.id for d in db.session.scalars(in_hb)} == _ids(history, {"I_crossing_within"})
    birth = statistics.dossiers_query(w, supervisor, finished_late, procedure_code="1.001193")
    assert {d.id for d in db.session.scalars(birth)} == _ids(history, {"E_online_late"})


def test_a_past_period_is_judged_at_its_end_not_now(db, history, user):
    """K was overdue at the end of December and returned in January; J was waiting then and
    resumed in January: December keeps them where they stood on 31 December."""
    now_report = _december(db, "hp.supervisor", user)
    assert now_report.total["in_progress_overdue"] == 2 and now_report.total["waiting"] == 2
    with clock.frozen(NOW):
        january = statistics.build(db.session, user("hp.supervisor"), Period.parse("2027-01"), NOW)
    # January (current at NOW): carried over are the 6 open on 1 January (A H I J K M); new: O
    assert january.total["carried"] == 6 and january.total["new"] == 1
    assert january.total["finished_late"] == 1  # K, returned on 5 January
    assert january.total["waiting"] == 1  # H only: J was resumed


def test_the_current_period_counts_the_state_now(db, history, user):
    with clock.frozen(NOW):
        report = statistics.build(db.session, user("hp.supervisor"), Period.parse("2027-Q1"), NOW)
    assert report.window.is_current
    assert report.total["received"] == report.total["carried"] + report.total["new"] == 7
    assert report.total["finished"] == report.total["finished_late"] == 1  # K
    assert report.total["waiting"] == 1  # H, by its status now
    # I is due Mon 18 Jan (27 working days from 9 Dec); A, M (4 Jan), O (5 Jan) and J (6 Jan, moved
    # by its three weeks of supplement) are past their appointment day on 15 January
    assert report.total["in_progress_on_time"] == 1 and report.total["in_progress_overdue"] == 4


def test_a_supervisor_sees_only_their_subtree(db, history, user):
    report = _december(db, "hb.supervisor", user)
    assert report.total["received"] == 13
    assert {r.agency.code for r in report.agencies} == {"HB", "HBMK", "HBQT"}
    w = statistics.Window.of(Period.parse(DECEMBER), NOW)
    everything = statistics.dossiers_query(w, user("hb.supervisor"), statistics.BY_KEY["received"])
    assert {d.id for d in db.session.scalars(everything)} == _ids(history, EXPECTED["received"] - LE_CHAN)
    assert _december(db, "stnmt.supervisor", user).total["received"] == 0
    assert _december(db, "lc.supervisor", user).total["received"] == 2


def test_statistics_page_links_every_number_to_its_list(db, history, client, login_as):
    login_as("hp.supervisor")
    with clock.frozen(NOW):
        page = client.get(f"/reports/statistics?p={DECEMBER}").get_data(as_text=True)
        assert 'data-testid="received-total">15<' in page
        assert "Tháng 12/2026" in page and "cơ quan tiếp nhận" in page
        total_row = page[page.index('data-agency="total"'):]
        total_row = total_row[:total_row.index("</tr>")]
        cells = dict(re.findall(r'data-cat="(\w+)">(?:<a href="([^"]+)">)?', total_row))
        assert set(cells) == set(EXPECTED)
        for category, names in EXPECTED.items():
            href = cells[category].replace("&amp;", "&")
            if not names:
                assert href == ""
                continue
            assert f"category={category}" in href
            listed = client.get(href).get_data(as_text=True)
            assert f'data-testid="list-total">{len(names)}<' in listed, category
            for name in names:
                assert f'/dossiers/{history.dossiers[name].id}"' in listed


def test_drill_down_outside_the_scope_is_not_found(db, history, client, login_as):
    login_as("hb.supervisor")
    lc = _agency(db, "LC")
    with clock.frozen(NOW):
        assert client.get(f"/reports/statistics/dossiers?p={DECEMBER}&category=received&agency={lc.id}").status_code == 404
        page = client.get(f"/reports/statistics?p={DECEMBER}").get_data(as_text=True)
    assert 'data-testid="received-total">13<' in page and "Lê Chân" not in page


@pytest.mark.parametrize("url", ["/reports/statistics", "/reports/statistics/dossiers", "/reports/bottlenecks",
                                 "/reports/trends", "/reports/overdue/dossiers", "/reports/statistics?format=xlsx"])
def test_reports_are_for_supervisors_only(client, login_as, url):
    login_as("hb.officer")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query, reason", [
    ("p=2026-13", "Kỳ báo cáo không hợp lệ"), ("p=nonsense", "Kỳ báo cáo không hợp lệ"),
    ("kind=custom&from=2026-12-31&to=2026-12-01", "Ngày kết thúc phải sau ngày bắt đầu."),
    ("p=9999", "Kỳ báo cáo phải trong các năm"), ("p=0001-01", "Kỳ báo cáo phải trong các năm"),
    ("kind=year&year=1", "Kỳ báo cáo phải trong các năm"),
    ("p=2026-12-01..9999-12-31", "tối đa là 3 năm"), ("kind=year&year=99999999999999999999", ""),
])
@pytest.mark.parametrize("page", ["statistics", "statistics/dossiers", "bottlenecks"])
def test_a_bad_period_is_refused_with_a_reason_on_the_report_page(client, login_as, query, reason, page):
    login_as("hp.supervisor")
    response = client.get(f"/reports/{page}?{query}")
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)


def _total_row(rows) -> list:
    return next(r for r in rows if r and r[0] == "Tổng cộng")


def test_xlsx_export_has_the_period_the_agency_and_the_figures(db, history, client, login_as):
    login_as("hp.supervisor")
    with clock.frozen(NOW):
        response = client.get(f"/reports/statistics?p={DECEMBER}&format=xlsx")
    assert response.status_code == 200
    assert 'filename="thong-ke_HP_2026-12.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "Thống kê" in rows[0][0]
    assert "Hải Phòng" in rows[1][0] and "Tháng 12/2026" in rows[1][0]
    names = rows[3]
    total = dict(zip(names, _total_row(rows), strict=False))
    assert total["Tổng số nhận"] == 15 and total["Kỳ trước chuyển qua"] == 3 and total["Từ liên thông"] == 1
    assert total["Đúng hạn (%)"] == 50.0
    hbmk = next(r for r in rows if r[1] == "HBMK")
    assert dict(zip(names, hbmk, strict=False))["Tổng số nhận"] == 11


def test_csv_export_matches_the_page(db, history, client, login_as):
    login_as("hp.supervisor")
    with clock.frozen(NOW):
        response = client.get(f"/reports/statistics?p={DECEMBER}&format=csv")
    assert response.mimetype == "text/csv"
    assert 'filename="thong-ke_HP_2026-12.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert "Tháng 12/2026" in rows[1][0]
    names = rows[3]
    total = dict(zip(names, _total_row(rows), strict=False))
    expected = {c.label: str(len(EXPECTED[c.key])) for c in statistics.CATEGORIES if c.label not in ("Quá hạn",)}
    for label, value in expected.items():
        assert total[label] == value, label


def test_drill_down_list_exports(db, history, client, login_as):
    login_as("hp.supervisor")
    with clock.frozen(NOW):
        response = client.get(f"/reports/statistics/dossiers?p={DECEMBER}&category=finished_late&format=xlsx")
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.data)).active.iter_rows()]
    codes = {r[0] for r in rows[3:]}
    assert codes == {history.dossiers[n].code for n in EXPECTED["finished_late"]}
