"""A clerk logs a walk-in dossier at the desk with the keyboard; an officer moves it on."""
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from onestop.dossiers.models import Dossier, Status
from onestop.workflows.engine import engine

pytestmark = pytest.mark.browser

LAND = "1.013978"
REQUIRED = {"application", "land_papers", "cadastral_extract", "fee_declaration"}
NAME = "Trần Thị Bích Ngọc"
ADDRESS = "25 Điện Biên Phủ, Hồng Bàng, Hải Phòng"
STNMT = "Sở Tài nguyên và Môi trường"
#: the land dossier's own data: parcel number, map sheet, area (m²)
PARCEL = ("125", "14", "86,5")


def _focused(page) -> dict:
    return page.evaluate("() => ({id: document.activeElement.id, name: document.activeElement.name,"
                         " value: document.activeElement.value, type: document.activeElement.type})")


def _fill_intake(page, *, id_number: str) -> None:
    """On the intake page: find the land procedure by typing, tick its required papers, type the applicant."""
    search = page.locator("#procedure-search")
    expect(search).to_be_focused()  # autofocus
    page.keyboard.type("dat dai lan dau")  # accents are optional
    expect(page.locator("#procedure-hint")).to_contain_text("Enter để chọn: 1.013978")
    page.keyboard.press("Enter")  # picks the first match and moves to its checklist
    expect(page.locator("#procedure_code")).to_have_value(LAND)
    checklist = page.locator(f".checklist[data-procedure='{LAND}']")
    expect(checklist).to_be_visible()

    # Space on each required paper, Tab to the next, then the parcel (its number, map sheet, area),
    # Tab over the applicant's kind (a person), until the applicant's ID number.
    ticked = set()
    parcel = list(PARCEL)
    for _ in range(30):
        focused = _focused(page)
        if focused["id"] == "applicant_id_number":
            break
        if focused["name"] == "documents":
            assert focused["type"] == "checkbox", focused
            if focused["value"] in REQUIRED:
                page.keyboard.press("Space")
                ticked.add(focused["value"])
        elif focused["name"].startswith("detail_"):
            page.keyboard.type(parcel.pop(0))
        else:
            assert (focused["name"], focused["value"]) == ("applicant_kind", "person"), focused
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the applicant's ID number")
    assert ticked == REQUIRED and not parcel
    for key in REQUIRED:
        expect(checklist.locator(f"input[value='{key}']")).to_be_checked()

    page.keyboard.type(id_number)
    page.keyboard.press("Tab")
    expect(page.locator("#applicant_name")).to_be_focused()
    page.keyboard.type(NAME)
    page.keyboard.press("Tab")
    page.keyboard.type("0912345678")
    page.keyboard.press("Tab")  # e-mail is optional
    expect(page.locator("#applicant_email")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#applicant_address")).to_be_focused()
    page.keyboard.type(ADDRESS)


def _open_intake(page) -> None:
    link = page.get_by_role("navigation").get_by_role("link", name="Tiếp nhận hồ sơ", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/desk/new$"))
    expect(page.get_by_role("heading", name="Tiếp nhận hồ sơ trực tiếp")).to_be_visible()


def _dossier_count(db) -> int:
    """Count in a transaction of its own and end it: on SQLite an open transaction holds the
    write lock that the live server's requests wait for."""
    db.session.rollback()
    count = db.session.scalar(select(func.count()).select_from(Dossier))
    db.session.rollback()
    return count


def test_clerk_logs_a_land_dossier_with_the_keyboard(committed, browser_page, login):
    page = browser_page
    login(page, "hb.clerk")
    _open_intake(page)
    assert page.locator("#intake-form input[name=csrf_token]").get_attribute("value")

    _fill_intake(page, id_number="031190004567")
    page.keyboard.press("Enter")  # implicit submission from the address field

    expect(page).to_have_url(re.compile(r"/desk/dossiers/\d+/receipt$"))
    code_el = page.get_by_test_id("dossier-code")
    expect(code_el).to_have_text(re.compile(r"^HB-\d{6}-\d{4}$"))
    code = code_el.inner_text()
    expect(page.get_by_role("status")).to_contain_text(f"Đã tiếp nhận hồ sơ {code}.")
    expect(page.get_by_role("heading", name="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")).to_be_visible()
    expect(page.get_by_test_id("due-date")).to_have_text(re.compile(r"^\d{2} giờ \d{2} phút, ngày \d{2}/\d{2}/\d{4}$"))
    expect(page.locator(".slip")).to_contain_text(NAME)

    committed.session.rollback()
    dossier = committed.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None
    assert dossier.applicant_name == NAME
    assert dossier.applicant_id_number == "031190004567"
    assert dossier.applicant_address == ADDRESS
    assert dossier.procedure_code == LAND
    assert dossier.status == Status.PROCESSING
    assert set(dossier.documents) == REQUIRED
    assert dossier.details == {"parcel_number": "125", "map_sheet": "14", "area": 86.5}
    assert dossier.received_by.username == "hb.clerk"
    assert page.url.endswith(f"/desk/dossiers/{dossier.id}/receipt")


def test_an_eleven_digit_citizen_id_is_refused(committed, browser_page, login):
    page = browser_page
    before = _dossier_count(committed)
    login(page, "hb.clerk")
    _open_intake(page)

    _fill_intake(page, id_number="03119000456")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/desk/new")) as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 422

    expect(page).to_have_url(re.compile(r"/desk/new$"))
    field = page.locator(".field.has-error", has=page.locator("#applicant_id_number"))
    expect(field.get_by_role("alert")).to_have_text("Số định danh cá nhân gồm đúng 12 chữ số.")
    expect(page.locator("#applicant_id_number")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_count(1)
    # what the clerk typed is kept
    expect(page.locator("#applicant_name")).to_have_value(NAME)
    expect(page.locator("#procedure_code")).to_have_value(LAND)
    for key in REQUIRED:
        expect(page.locator(f".checklist[data-procedure='{LAND}'] input[value='{key}']")).to_be_checked()
    assert _dossier_count(committed) == before


def test_what_is_typed_before_the_page_script_runs_is_filtered(app, committed, browser_page, login, monkeypatch):
    """The search field has focus as soon as it is drawn; the page's script can arrive later (a slow
    line, a cold cache). What the clerk typed by then is filtered when it runs."""
    static = app.view_functions["static"]

    def late(filename):
        if filename == "intake.js":
            time.sleep(1)  # in the server's thread: the page is drawn and focused meanwhile
        return static(filename=filename)

    monkeypatch.setitem(app.view_functions, "static", late)
    login(browser_page, "hb.clerk")
    _open_intake(browser_page)
    _fill_intake(browser_page, id_number="031190004567")
    expect(browser_page.locator("#applicant_address")).to_have_value(ADDRESS)


def test_live_server_enforces_csrf(committed, browser_page):
    """The guard the browser tests rely on: a POST without the token is turned away."""
    response = browser_page.request.post("/login", form={"username": "hb.clerk", "password": "demo1234"})
    assert response.status == 400
    assert "Phiên làm việc đã hết hạn" in response.text()


def test_officer_forwards_the_dossier_to_the_department(committed, create_dossier, new_page, login, dialogs):
    dossier = create_dossier()
    dossier_id, code = dossier.id, dossier.code
    check = engine().of(dossier).step("district_check").name  # the version in force on the day
    committed.session.commit()

    clerk = new_page()
    login(clerk, "hb.clerk")
    clerk.goto(f"/dossiers/{dossier_id}")
    expect(clerk.get_by_test_id("dossier-code")).to_have_text(code)
    dialogs(clerk).dismiss_next = True  # "no" to the confirmation: nothing moves
    clerk.get_by_role("button", name="Chuyển xử lý", exact=True).click()
    assert dialogs(clerk).messages == [
        f"Chuyển xử lý: hồ sơ {code} chuyển sang «{check}». Tiếp tục?"]
    expect(clerk.get_by_test_id("step")).to_have_text("Tiếp nhận hồ sơ tại bộ phận một cửa")
    clerk.get_by_role("button", name="Chuyển xử lý", exact=True).click()
    expect(clerk.get_by_role("status")).to_contain_text(f"Đã cập nhật hồ sơ {code}")
    expect(clerk.get_by_test_id("step")).to_have_text(check)

    officer = new_page()
    login(officer, "hb.officer")
    officer.goto("/inbox")  # "mine" by default; without a worker here nobody has been assigned yet
    expect(officer.get_by_role("link", name=code, exact=True)).to_have_count(0)
    officer.get_by_role("link", name=re.compile("^Cả đơn vị")).click()
    officer.get_by_role("link", name=code, exact=True).click()
    expect(officer).to_have_url(re.compile(rf"/dossiers/{dossier_id}$"))
    officer.get_by_label("Ghi chú / lý do").focus()
    officer.keyboard.type("Hồ sơ đủ điều kiện, chuyển Sở thẩm định.")
    officer.get_by_role("button", name=f"Chuyển {STNMT} thẩm định").click()
    expect(officer.get_by_role("status")).to_contain_text(f"Đã cập nhật hồ sơ {code}")

    # The dossier has left the district: the officer is back at the inbox, the dossier page
    # (still in scope: the district handled it) shows where it went.
    expect(officer).to_have_url(re.compile(r"/inbox$"))
    expect(officer.get_by_role("link", name=code, exact=True)).to_have_count(0)
    officer.goto(f"/dossiers/{dossier_id}")
    expect(officer.get_by_test_id("holder")).to_have_text(STNMT)
    expect(officer.get_by_test_id("step")).to_have_text(f"{STNMT} thẩm định")
    rows = officer.get_by_test_id("history").locator("tbody tr")
    expect(rows).to_have_count(3)
    last = rows.nth(2)
    expect(last.locator("td").nth(1)).to_have_text(f"Chuyển {STNMT} thẩm định")
    expect(last.locator("td").nth(2)).to_contain_text("Chuyên viên Ủy ban nhân dân quận Hồng Bàng")
    expect(last.locator("td").nth(3)).to_contain_text("Ủy ban nhân dân quận Hồng Bàng")
    expect(last.locator("td").nth(4)).to_contain_text(STNMT)
    expect(last.locator("td").nth(5)).to_have_text("Hồ sơ đủ điều kiện, chuyển Sở thẩm định.")
    expect(officer.get_by_role("button", name=re.compile("Chuyển"))).to_have_count(0)

    committed.session.rollback()
    moved = committed.session.get(Dossier, dossier_id)
    assert moved.holder_agency.name == STNMT
    assert moved.step == "department_appraisal"
    assert moved.status == Status.PROCESSING
