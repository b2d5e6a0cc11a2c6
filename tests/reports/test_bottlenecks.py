"""Bottlenecks: working hours per step and per agency, where lateness starts, open load."""
import io
from itertools import pairwise

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import route
from onestop.reports import bottlenecks, queries, statistics
from onestop.reports.periods import Period
from onestop.reports.workclock import working_clock
from tests.conftest import vn
from tests.reports.history import COPY, LAND, History

NOW = vn(2026, 12, 15, 9)


@pytest.fixture
def stays(db):
    """Stays that end in December 2026 (office hours 07:30-11:30, 13:00-17:00):

    copy certification at Máy Chai, the officer's check (budget 2 h): d1 1 h, d2 2 h, d3 4.5 h
    (08:00-11:30 and 13:00-14:00), d4 1.5 h (Friday 16:30-17:00 and Monday 07:30-08:30, the weekend
    does not count); d3 then waits 4.5 h for the leader and 8 h at the desk, and is returned on
    3 December after its appointment (2 December): late, and its first overrun was the check.
    A land dossier spends 2 h at the Hồng Bàng desk and 14 h at the district before the department.
    """
    h = History(db)
    for name, check_done in (("d1", vn(2026, 12, 1, 9)), ("d2", vn(2026, 12, 1, 10)), ("d3", vn(2026, 12, 1, 14))):
        h.receive(name, vn(2026, 12, 1, 8), "hbmk.clerk", COPY)
        h.act(name, vn(2026, 12, 1, 8), "forward", "hbmk.clerk")
        h.act(name, check_done, "forward", "hbmk.officer")
    h.receive("d4", vn(2026, 12, 4, 16), "hbmk.clerk", COPY)
    h.act("d4", vn(2026, 12, 4, 16, 30), "forward", "hbmk.clerk")
    h.act("d4", vn(2026, 12, 7, 8, 30), "forward", "hbmk.officer")
    h.act("d3", vn(2026, 12, 2, 9), "sign", "hbmk.supervisor")
    h.act("d3", vn(2026, 12, 3, 9), "return_result", "hbmk.clerk")
    h.receive("land", vn(2026, 12, 1, 8), "hb.clerk", LAND)
    h.act("land", vn(2026, 12, 1, 10), "forward", "hb.clerk")
    h.act("land", vn(2026, 12, 3, 8), "forward", "hb.officer")
    for name in ("d1", "d2"):  # routing gives them to the ward's leader; d4 waits unassigned
        dossier = h.dossiers[name]
        with clock.frozen(vn(2026, 12, 7, 9)):
            route(dossier.id, dossier.step_seq)
    db.session.commit()
    return h


def _report(db, username, user):
    with clock.frozen(NOW):
        supervisor = user(username)
        load = db.session.execute(queries.load_query(supervisor, NOW, queries.due_soon_horizon(NOW))).all()
        w = statistics.Window.of(Period.parse("2026-12"), NOW)
        return bottlenecks.build(db.session, supervisor, w, load)


def _agency_id(db, code):
    return db.session.scalar(select(Agency.id).where(Agency.code == code))


def test_working_hours_per_step_with_median_and_90th_percentile(db, stays, user):
    report = _report(db, "hp.supervisor", user)
    steps = {(s.procedure_code, s.step): s for s in report.steps}
    check = steps[(COPY, "justice_check")]
    assert (check.n, check.budget, check.over_budget) == (4, 2.0, 1)
    assert check.mean == pytest.approx(9 / 4)
    assert check.p50 == pytest.approx(1.75)  # between 1.5 and 2
    assert check.p90 == pytest.approx(3.75)  # 2 + 0.7 * (4.5 - 2)
    reception = steps[(COPY, "reception")]
    assert (reception.n, reception.p50, reception.p90) == (4, 0, pytest.approx(0.35))
    assert steps[(COPY, "leader_sign")].p50 == pytest.approx(4.5)
    assert steps[(COPY, "result_at_desk")].p50 == pytest.approx(8)
    land_district = steps[(LAND, "district_check")]
    assert (land_district.n, land_district.p50) == (1, pytest.approx(14))
    assert (LAND, "department_appraisal") not in steps  # still there: the stay has not ended


def test_working_hours_per_agency(db, stays, user):
    report = _report(db, "hp.supervisor", user)
    agencies = {a.agency_id: a for a in report.agencies}
    ward = agencies[_agency_id(db, "HBMK")]
    # 0 0 0 0.5 1 1.5 2 4.5 4.5 8
    assert ward.n == 10 and ward.p50 == pytest.approx(1.25) and ward.p90 == pytest.approx(4.85)
    district = agencies[_agency_id(db, "HB")]
    assert district.n == 2 and district.p50 == pytest.approx(8) and district.p90 == pytest.approx(12.8)


def test_where_lateness_starts(db, stays, user):
    report = _report(db, "hp.supervisor", user)
    assert report.late_dossiers == 1
    assert [(lt.procedure_code, lt.step, lt.agency_id, lt.dossiers) for lt in report.lateness] == [
        (COPY, "justice_check", _agency_id(db, "HBMK"), 1)]


def test_open_load_per_officer(db, stays, user):
    report = _report(db, "hp.supervisor", user)
    load = {(r.holder_agency_id, r.full_name): (r.open, r.overdue) for r in report.load}
    hbmk, stnmt = _agency_id(db, "HBMK"), _agency_id(db, "STNMT")
    leader = user("hbmk.supervisor").full_name
    assert load[(hbmk, leader)] == (2, 2)  # d1 and d2, the leader's 2 h step long past
    assert load[(hbmk, None)] == (1, 1)  # d4, not yet routed
    assert load[(stnmt, None)][0] == 1  # the land dossier at the department


def test_bottlenecks_are_limited_to_the_subtree(db, stays, user):
    report = _report(db, "stnmt.supervisor", user)
    assert report.steps == [] and report.agencies == [] and report.late_dossiers == 0
    assert [r.holder_agency_id for r in report.load] == [_agency_id(db, "STNMT")]


def test_bottlenecks_page_and_export(db, stays, client, login_as):
    login_as("hp.supervisor")
    with clock.frozen(NOW):
        page = client.get("/reports/bottlenecks?p=2026-12").get_data(as_text=True)
        assert f'data-step="{COPY}/justice_check"' in page and "Phân vị 90" in page
        response = client.get("/reports/bottlenecks?p=2026-12&format=xlsx")
    assert 'filename="diem-nghen_HP_2026-12.xlsx"' in response.headers["Content-Disposition"]
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.data)).active.iter_rows()]
    assert "Tháng 12/2026" in rows[1][0]
    check = next(r for r in rows if r[1] == f"{COPY}/justice_check")
    assert check[2:6] == [4, 2.2, 1.8, 3.8]  # count, mean, median, p90 (rounded to 0.1 h)


def test_the_stays_read_from_the_visits_are_the_ones_the_history_gives(db, user):
    """The whole December history: per step, the count and working hours the report gives equal
    the stays paired from the events (each move to the next, supplement waits left out), the way
    the report counted them before it read the visits."""
    from tests.reports.history import december_history
    december_history(db)
    with clock.frozen(vn(2027, 1, 15, 9)):
        work = working_clock()
        w = statistics.Window.of(Period.parse("2026-12"), clock.now())
        report = bottlenecks.build(db.session, user("hp.supervisor"), w, [])
    from onestop.reports.statistics import supplement_steps
    clean, pairs = supplement_steps()
    expected: dict[tuple[str, str], list[float]] = {}
    dossiers = {d.id: d for d in db.session.scalars(select(Dossier))}
    moves = db.session.scalars(select(DossierEvent).where(DossierEvent.is_move).order_by(DossierEvent.id)).all()
    by_dossier: dict[int, list[DossierEvent]] = {}
    for event in moves:
        by_dossier.setdefault(event.dossier_id, []).append(event)
    for dossier_id, events in by_dossier.items():
        code = dossiers[dossier_id].procedure_code
        for entered, left in pairwise(events):
            waiting = entered.to_step in clean or (code, entered.to_step) in pairs
            if not waiting and w.start <= left.at < w.end:
                expected.setdefault((code, entered.to_step), []).append(work.hours_between(entered.at, left.at))
    got = {(s.procedure_code, s.step): s for s in report.steps}
    assert set(got) == set(expected)
    for key, hours in expected.items():
        assert got[key].n == len(hours), key
        assert got[key].mean == pytest.approx(sum(hours) / len(hours)), key
        assert got[key].over_budget == sum(h > (got[key].budget or 0) + 1e-6 for h in hours), key
    assert sum(a.n for a in report.agencies) == sum(len(h) for h in expected.values()) > 20
    # the dossiers finished late are the statistics' own
    from tests.reports.history import EXPECTED
    assert report.late_dossiers == len(EXPECTED["finished_late"]) == 3
