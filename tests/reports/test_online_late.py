"""Online applications no desk decided within a working day: counted on the overdue report over the
supervisor's scope, and listed."""
import re

import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.dossiers.applicant import Applicant
from onestop.online.operations import refuse_online_application, submit_application
from tests.conftest import vn

BIRTH = "1.001193"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CITIZEN = Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321",
                    address="5 Lê Lợi, Máy Tơ, Ngô Quyền")
NOW = vn(2026, 12, 10, 8, 0)  # Thursday morning


def file_at(db, desk_code: str, at):
    desk = db.session.scalar(select(Agency.id).where(Agency.code == desk_code))
    with clock.frozen(at):
        return submit_application(procedure_code=BIRTH, desk_id=desk, applicant=CITIZEN, delivery_method="desk",
                                  uploads=[("declaration", "to-khai.pdf", PDF), ("birth_notice", "chung-sinh.pdf", PDF)])


@pytest.fixture
def filed(db, user):
    late_hb = file_at(db, "HBMK", vn(2026, 12, 8, 16, 30))     # due Wednesday 16:30: late
    late_lc = file_at(db, "LCAB", vn(2026, 12, 8, 9, 0))       # due Wednesday 09:00: late
    fresh = file_at(db, "HBMK", vn(2026, 12, 9, 10, 0))        # due Thursday 10:00: not yet
    decided = file_at(db, "HBMK", vn(2026, 12, 7, 9, 0))       # late, but refused since
    with clock.frozen(vn(2026, 12, 9, 9, 0)):
        refuse_online_application(decided, user("hbmk.clerk"), "Giấy chứng sinh không đọc được.")
    db.session.commit()
    return {"late_hb": late_hb, "late_lc": late_lc, "fresh": fresh, "decided": decided}


@pytest.mark.parametrize("username, expected", [
    ("hp.supervisor", {"late_hb", "late_lc"}),
    ("hb.supervisor", {"late_hb"}),
    ("lc.supervisor", {"late_lc"}),
    ("ka.supervisor", set()),
])
def test_late_online_applications_are_counted_and_listed_over_the_scope(client, login_as, filed, username, expected):
    login_as(username)
    with clock.frozen(NOW):
        page = client.get("/reports/overdue").get_data(as_text=True)
        listing = client.get("/reports/overdue/online").get_data(as_text=True)
    assert re.search(rf'data-testid="late-online-total">{len(expected)}<', page)
    assert set(re.findall(r'data-reference="([^"]+)"', listing)) == {filed[k].reference for k in expected}
    if expected:
        assert 'href="/reports/overdue/online"' in page


def test_the_list_shows_where_and_since_when(client, login_as, filed):
    login_as("hb.supervisor")
    with clock.frozen(NOW):
        listing = client.get("/reports/overdue/online").get_data(as_text=True)
    assert "Ủy ban nhân dân phường Minh Khai" in listing and "Đăng ký khai sinh" in listing
    assert "08/12/2026 16:30" in listing and "09/12/2026 16:30" in listing


def test_staff_who_are_not_supervisors_do_not_get_the_list(client, login_as, filed):
    login_as("hbmk.clerk")
    assert client.get("/reports/overdue/online").status_code == 404
