"""The clock on the dossier page: working time left for the step and the appointment, the pause.

The land dossier is forwarded to Hồng Bàng's district check on Monday 7 Dec 2026 at 08:00: the step is
due Monday 14 Dec 13:30, the appointment (27 working days) Thursday 14 Jan 2027 08:00.
"""
import pytest

from onestop.core import clock
from onestop.dossiers.clock import working_time
from onestop.dossiers.operations import perform_action, route
from tests.conftest import LAND_DOCS, vn


@pytest.fixture
def at_district(db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier()
        perform_action(dossier, user("hb.clerk"), "forward")
        route(dossier.id, dossier.step_seq)
        db.session.commit()
    return dossier


def clock_card(client, dossier) -> str:
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    start = page.index('data-testid="clock"')
    return " ".join(page[start:page.index("</section>", start)].split())


def test_time_left_in_working_hours(client, login_as, at_district):
    login_as("hb.officer")
    with clock.frozen(vn(2026, 12, 9, 9, 0)):  # Wednesday
        card = clock_card(client, at_district)
    assert "hạn 14/12/2026 13:30 — còn 3 ngày 3 giờ làm việc" in card
    assert "14/01/2027 08:00 — còn 24 ngày 7 giờ làm việc" in card
    assert "Tạm dừng" not in card and "Đã tạm dừng" not in card


def test_overdue_step(client, login_as, at_district):
    login_as("hb.supervisor")
    with clock.frozen(vn(2026, 12, 15, 14, 0)):
        card = clock_card(client, at_district)
    assert "quá hạn 1 ngày 30 phút làm việc" in card and 'class="due late"' in card


def test_paused_for_a_supplement_then_resumed(db, client, login_as, at_district, user):
    with clock.frozen(vn(2026, 12, 9, 9, 0)):
        perform_action(at_district, user("hb.officer"), "request_supplement", note="Thiếu trích đo thửa đất")
        db.session.commit()
    login_as("hb.clerk")
    with clock.frozen(vn(2026, 12, 10, 10, 0)):  # 6.5 h on Wednesday, 2.5 h on Thursday
        card = clock_card(client, at_district)
    assert 'data-testid="clock-paused"' in card and "<b>Tạm dừng</b>" in card
    assert "từ 09/12/2026 09:00" in card
    assert '<span data-testid="paused-hours">1 ngày 1 giờ</span>' in card
    assert 'data-testid="due-left">24 ngày 7 giờ<' in card  # the appointment's time left is frozen at the pause
    with clock.frozen(vn(2026, 12, 11, 9, 0)):
        perform_action(at_district, user("hb.clerk"), "supplement_received", documents=LAND_DOCS)
        db.session.commit()
        card = clock_card(client, at_district)
    assert "Tạm dừng</b>" not in card
    assert '<dd data-testid="paused-hours">2 ngày làm việc (chờ bổ sung)</dd>' in card
    assert "16/01/2027" not in card and "18/01/2027 08:00" in card  # the appointment moved by two working days


def test_finished_dossier_has_no_clock(db, client, login_as, create_dossier, user):
    dossier = create_dossier(procedure="2.000815", clerk="hbmk.clerk")
    perform_action(dossier, user("hbmk.clerk"), "withdraw", note="Công dân xin rút")
    db.session.commit()
    login_as("hbmk.clerk")
    assert "Hồ sơ đã kết thúc" in clock_card(client, dossier)


@pytest.mark.parametrize("hours, text", [
    (0, "0 phút"), (0.5, "30 phút"), (8, "1 ngày"), (13.5, "1 ngày 5 giờ 30 phút"), (-27, "3 ngày 3 giờ"), (None, ""),
])
def test_working_time_format(hours, text):
    assert working_time(hours) == text
