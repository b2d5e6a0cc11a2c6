"""In a real browser, with CSRF on: the clock on the dossier page, an apology and extension asked by the
officer and approved by the supervisor, slip 04 printed; the admin's calendar page."""
import re
from datetime import date

import pytest
from sqlalchemy import delete, select

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.workdays import CalendarOverride
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action, route
from tests.conftest import COPY, vn

expect = pytest.importorskip("playwright.sync_api").expect


def _user(db, username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_officer_asks_for_an_extension_and_the_supervisor_approves(committed, create_dossier, new_page, login):
    db = committed
    with clock.frozen(vn(2026, 12, 7, 8, 0)):  # due Tuesday 8 Dec 08:00
        dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
        perform_action(dossier, _user(db, "hbmk.clerk"), "forward")
        route(dossier.id, dossier.step_seq)
        db.session.commit()
        dossier_id, code = dossier.id, dossier.code
    db.session.rollback()

    with clock.frozen(vn(2026, 12, 7, 16, 30)):
        officer = new_page()
        login(officer, "hbmk.officer")
        officer.goto(f"/dossiers/{dossier_id}")
        expect(officer.get_by_test_id("due-left")).to_contain_text("còn 1 giờ làm việc")
        officer.get_by_test_id("request-extension").click()
        officer.get_by_label("Ngày hẹn trả kết quả mới").fill("2026-12-12")  # a Saturday
        officer.get_by_label("Lý do chậm trễ (in trên phiếu xin lỗi)").fill("Mất điện, chưa ký số được bản sao.")
        officer.get_by_role("button", name="Gửi đề nghị").click()
        expect(officer.get_by_role("alert")).to_have_text("Ngày hẹn mới phải là ngày làm việc.")
        officer.get_by_label("Ngày hẹn trả kết quả mới").fill("2026-12-10")
        officer.get_by_role("button", name="Gửi đề nghị").click()
        expect(officer.get_by_test_id("extension-status")).to_have_text("Chờ lãnh đạo duyệt")

        supervisor = new_page()
        login(supervisor, "hbmk.supervisor")
        supervisor.goto(f"/dossiers/{dossier_id}")
        supervisor.get_by_test_id("extensions").get_by_role("link").first.click()
        supervisor.get_by_label("Ý kiến của lãnh đạo").fill("Đồng ý gia hạn.")
        supervisor.get_by_role("button", name="Duyệt gia hạn").click()
        expect(supervisor.get_by_test_id("extension-status")).to_have_text("Đã duyệt")
        supervisor.get_by_role("link", name=re.compile("mẫu 04")).click()
        expect(supervisor.locator("h2.slip-title")).to_have_text("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
        expect(supervisor.get_by_test_id("new-due")).to_have_text("08 giờ 00 phút, ngày 10/12/2026")

        officer.goto(f"/dossiers/{dossier_id}")
        expect(officer.get_by_test_id("extended")).to_contain_text("hẹn trả ban đầu 08/12/2026 08:00")
        expect(officer.get_by_test_id("history")).to_contain_text("Gia hạn hẹn trả")
    db.session.rollback()
    assert db.session.get(Dossier, dossier_id).due_at == vn(2026, 12, 10, 8, 0), code


def test_admin_adds_a_day_off_on_the_calendar_page(committed, browser_page, login):
    db = committed
    page = browser_page
    try:
        with clock.frozen(vn(2026, 8, 1, 9, 0)):
            login(page, "admin", "admin1234")
            page.get_by_role("link", name="Lịch làm việc").click()
            expect(page.get_by_test_id("holidays")).to_contain_text("Ngày làm việc bù")
            page.get_by_label("Ngày", exact=True).fill("2026-08-14")
            page.get_by_label("Ngày nghỉ").check()
            page.get_by_label("Ghi chú").fill("Nghỉ do bão số 3")
            page.get_by_role("button", name="Thêm điều chỉnh").click()
            expect(page.get_by_role("status")).to_contain_text("Đã đặt ngày 14/08/2026 là ngày nghỉ.")
            expect(page.get_by_test_id("overrides")).to_contain_text("Nghỉ do bão số 3")
        db.session.rollback()
        assert db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == date(2026, 8, 14))).is_working is False
    finally:
        db.session.rollback()
        db.session.execute(delete(CalendarOverride))
        db.session.commit()
