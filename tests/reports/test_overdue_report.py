"""Overdue now and due soon: how late in working days, the tree roll-up, lists and exports."""
import csv
import io

import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.reports import queries
from onestop.reports.workclock import working_clock
from tests.conftest import vn
from tests.reports.history import COPY, LAND, History

NOW = vn(2026, 12, 10, 10)  # a Thursday


@pytest.fixture
def late(db):
    """``late`` waits at the officer since Mon 7 Dec 08:00 (the 2 h check was due at 10:00, the
    appointment Tue 8 Dec 08:00): by Thu 10 Dec 10:00 it is 5.5 + 8 + 8 + 2.5 = 24 working hours,
    3 working days, past its first due time. ``soon`` reached the desk at 09:00 today: its 2 h
    reception step is due at 11:00, within the 8 working hours of "due soon". ``land`` waits at the
    department within its deadlines; ``lc`` is late at Lê Chân."""
    h = History(db)
    h.receive("late", vn(2026, 12, 7, 8), "hbmk.clerk", COPY)
    h.act("late", vn(2026, 12, 7, 8), "forward", "hbmk.clerk")
    h.receive("soon", vn(2026, 12, 10, 9), "hbmk.clerk", COPY)
    h.receive("land", vn(2026, 12, 9, 8), "hb.clerk", LAND)
    h.act("land", vn(2026, 12, 9, 9), "forward", "hb.clerk")
    h.act("land", vn(2026, 12, 9, 10), "forward", "hb.officer")
    h.receive("lc", vn(2026, 12, 7, 8), "lcab.clerk", COPY)
    db.session.commit()
    return h


def _agency(db, code):
    return db.session.scalar(select(Agency).where(Agency.code == code))


def test_how_late_in_working_days_and_what_is_due_soon(db, late, user):
    with clock.frozen(NOW):
        report = queries.build(db.session, user("hp.supervisor"), NOW, working_clock())
    assert (report.total.overdue, report.total.past_due, report.total.due_soon) == (2, 2, 1)
    flat = {node.agency.code: node for _, node in report.flat()}
    row = next(r for r in flat["HBMK"].dossiers if r.id == late.dossiers["late"].id)
    assert row.late_hours == pytest.approx(24)
    assert flat["HBMK"].total.max_late_days == pytest.approx(3)
    assert [r.id for r in report.due_soon] == [late.dossiers["soon"].id]
    assert report.due_soon[0].late_hours == pytest.approx(-1)  # one working hour left
    # the tree rolls up: Hồng Bàng counts its ward, the city counts everything
    assert flat["HB"].total.overdue == 1 and flat["HB"].own.overdue == 0
    assert flat["HP"].total.overdue == 2 and "STNMT" not in flat  # nothing late or due at the department
    procedures = {code: tally for code, _, tally in report.procedures}
    assert procedures[COPY].overdue == 2 and procedures[COPY].due_soon == 1


def test_overdue_page_shows_days_late_due_soon_and_the_tree(db, late, client, login_as):
    login_as("hp.supervisor")
    with clock.frozen(NOW):
        page = client.get("/reports/overdue").get_data(as_text=True)
    assert 'data-testid="overdue-total">2<' in page and 'data-testid="due-soon-total">1<' in page
    assert "3,0 ngày" in page
    assert page.index('data-agency-node="HB"') < page.index('data-agency-node="HBMK"')  # HBMK inside HB
    assert f'/dossiers/{late.dossiers["soon"].id}"' in page and "còn 1,0 giờ" in page


def test_overdue_list_of_an_agency_includes_its_subtree(db, late, client, login_as):
    login_as("hp.supervisor")
    hb = _agency(db, "HB")
    with clock.frozen(NOW):
        page = client.get(f"/reports/overdue/dossiers?agency={hb.id}").get_data(as_text=True)
        assert 'data-testid="list-total">1<' in page and f'/dossiers/{late.dossiers["late"].id}"' in page
        soon = client.get("/reports/overdue/dossiers?kind=due_soon").get_data(as_text=True)
        assert 'data-testid="list-total">1<' in soon
        login_as("hb.supervisor")
        lc = _agency(db, "LC")
        assert client.get(f"/reports/overdue/dossiers?agency={lc.id}").status_code == 404


def test_overdue_exports(db, late, client, login_as):
    login_as("hb.supervisor")
    with clock.frozen(NOW):
        response = client.get("/reports/overdue?format=csv")
        listing = client.get("/reports/overdue/dossiers?format=csv")
    assert 'filename="qua-han_HB_20261210-1000.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Hồ sơ quá hạn và sắp đến hạn"
    assert "Hồng Bàng" in rows[1][0] and "10/12/2026 10:00" in rows[1][0]
    total = next(r for r in rows if r[0] == "Tổng cộng")
    assert total[2:4] == ["1", "1"] and total[-1] == "1"
    listed = list(csv.reader(io.StringIO(listing.data.decode("utf-8-sig"))))
    assert [r[0] for r in listed[3:]] == [late.dossiers["late"].code]
    assert listed[3][-1] == "3.0"
