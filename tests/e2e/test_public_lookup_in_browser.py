"""A citizen, with no login, looks up a dossier's status in a real browser (desktop and phone).

The dossier is received at the Hồng Bàng desk and moved two steps (desk → district land office →
Department), each move with an internal note; the public page must show the status, the
appointment and, per step, only the agency and the date — no staff name, no note.

Failed look-ups are throttled per client address in ``lookup_attempts``; this test commits two
failures from 127.0.0.1, so ``no_throttle`` deletes the table's rows before and after it.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from onestop.auth.models import User
from onestop.core.calendar import VN_TZ
from onestop.dossiers.operations import perform_action
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TAIL = "1234"  # the default applicant's ID ends in 1234 (tests/conftest.py)
NOTES = ("Ghi chú nội bộ: gọi lại anh An", "Thiếu chữ ký chủ hộ, chuyển Sở xem xét")
NOT_FOUND = {"vi": "Không tìm thấy hồ sơ với mã và số định danh đã nhập.",
             "en": "No dossier found with this code and identification number."}
HB = "Ủy ban nhân dân quận Hồng Bàng"
STNMT = "Sở Tài nguyên và Môi trường"


@pytest.fixture
def moved(committed, create_dossier, no_throttle):
    """A land dossier received at Hồng Bàng, forwarded by the desk, then by the district officer."""
    dossier = create_dossier()

    def staff(username: str) -> User:
        return committed.session.scalar(select(User).where(User.username == username))
    perform_action(dossier, staff("hb.clerk"), "forward", note=NOTES[0])
    perform_action(dossier, staff("hb.officer"), "forward", note=NOTES[1])
    committed.session.commit()
    events = [e for e in dossier.events if e.is_move]
    facts = {"id": dossier.id, "code": dossier.code, "due": dossier.due_at.astimezone(VN_TZ).strftime("%d/%m/%Y"),
             "dates": [e.at.astimezone(VN_TZ).strftime("%d/%m/%Y") for e in events],
             "staff": sorted({e.actor.full_name for e in dossier.events})}
    committed.session.rollback()  # on SQLite an open transaction holds the lock the live server needs
    return facts


def _look_up(page, code: str, tail: str) -> None:
    """Type both fields with the keyboard, starting from the autofocused one, and press Enter."""
    code_field = page.locator("#code")
    if not code_field.input_value():
        expect(code_field).to_be_focused()
        page.keyboard.type(code)
        page.keyboard.press("Tab")
    expect(page.locator("#id_tail")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(tail)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def _no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]}px content in {widths[1]}px"


def _assert_public_result(page, moved: dict, *, lang: str = "vi") -> None:
    result = page.get_by_test_id("lookup-result")
    expect(result).to_be_visible()
    expect(result.get_by_role("heading", level=2)).to_contain_text(moved["code"])
    status = "Đang giải quyết" if lang == "vi" else "In progress"
    expect(page.get_by_test_id("public-status")).to_have_text(f"{status} — {STNMT} thẩm định")
    expect(page.get_by_test_id("public-due")).to_have_text(moved["due"])
    rows = result.locator("table tbody tr")
    expect(rows).to_have_count(3)
    for row, date, agency in zip(rows.all(), moved["dates"], (HB, HB, STNMT), strict=True):
        expect(row.locator("td").nth(0)).to_have_text(date)
        expect(row.locator("td").nth(1)).to_have_text(agency)
    for date in moved["dates"] + [moved["due"]]:
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", date)
    text = page.locator("body").inner_text()
    html = page.content()
    for secret in [*NOTES, *moved["staff"], "Cán bộ", "Chuyên viên", "031090001234", "0912345678", "Minh Khai"]:
        assert secret not in text and secret not in html, secret


def _not_found_answer(page) -> tuple[str, str]:
    """What a failed look-up says: the message and all the text of the page (field values are not text)."""
    expect(page.get_by_test_id("lookup-message")).to_be_visible()
    expect(page.get_by_test_id("lookup-result")).to_have_count(0)
    message = page.get_by_test_id("lookup-message").inner_text()
    main = " ".join(page.locator("main").inner_text().split())
    return message, main


def test_citizen_looks_up_a_moving_dossier_on_desktop_and_phone(moved, new_page):
    page = new_page()
    page.goto("/tra-cuu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu tình trạng hồ sơ")
    screenshot(page, "public-lookup-desktop-form")
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)  # nobody is logged in
    _look_up(page, moved["code"].lower(), TAIL)  # the code is not case-sensitive
    expect(page).to_have_url(re.compile(r"/tra-cuu/$"))
    _assert_public_result(page, moved)
    # the answer takes the focus, so a screen reader reads it and a phone scrolls to it
    expect(page.get_by_test_id("lookup-result").get_by_role("heading", level=2)).to_be_focused()
    _no_horizontal_scroll(page)
    screenshot(page, "public-lookup-desktop-result")

    phone = new_page()
    phone.set_viewport_size(PHONE)
    phone.goto("/tra-cuu/")
    _no_horizontal_scroll(phone)
    screenshot(phone, "public-lookup-phone-form")
    _look_up(phone, moved["code"], TAIL)
    _assert_public_result(phone, moved)
    _no_horizontal_scroll(phone)
    screenshot(phone, "public-lookup-phone-result")
    # the button and the fields are big enough to hit with a thumb and fit the screen
    for box in (phone.locator("#code").bounding_box(), phone.get_by_role("button", name="Tra cứu").bounding_box()):
        assert box["height"] >= 36 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_wrong_digits_and_unknown_code_get_the_same_answer(moved, new_page):
    page = new_page()
    page.goto("/tra-cuu/")
    with page.expect_response(lambda r: r.request.method == "POST") as wrong_tail:
        _look_up(page, moved["code"], "9999")
    wrong_digits = _not_found_answer(page)
    screenshot(page, "public-lookup-desktop-not-found")

    page.goto("/tra-cuu/")
    unknown = "HB-000101-9999"
    with page.expect_response(lambda r: r.request.method == "POST") as wrong_code:
        _look_up(page, unknown, TAIL)
    unknown_code = _not_found_answer(page)

    assert wrong_tail.value.status == wrong_code.value.status == 404
    assert wrong_digits == unknown_code
    assert wrong_digits[0] == NOT_FOUND["vi"]
    # the field keeps the code, so the citizen can correct the digits with the keyboard at once
    expect(page.locator("#id_tail")).to_be_focused()
    expect(page.locator("#code")).to_have_value(unknown)


def test_receipt_qr_link_prefills_the_code_and_english_works(moved, new_page, login):
    staff = new_page()
    login(staff, "hb.clerk")
    staff.goto(f"/desk/dossiers/{moved['id']}/receipt")
    href = staff.get_by_test_id("qr").get_by_role("link").get_attribute("href")
    assert re.fullmatch(rf"http://[^/]+/tra-cuu/\?code={moved['code']}", href), href
    screenshot(staff, "public-lookup-receipt-with-qr")

    citizen = new_page()
    citizen.set_viewport_size(PHONE)
    citizen.goto(href)
    expect(citizen.locator("#code")).to_have_value(moved["code"])
    expect(citizen.locator("#id_tail")).to_be_focused()  # only the four digits are left to type
    screenshot(citizen, "public-lookup-phone-qr-prefilled")

    citizen.get_by_test_id("language-switch").get_by_role("link", name="English").click()
    expect(citizen.locator("html")).to_have_attribute("lang", "en")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Look up the status of a dossier")
    expect(citizen.locator("#code")).to_have_value(moved["code"])  # the switch keeps the QR's code
    _look_up(citizen, moved["code"], TAIL)
    _assert_public_result(citizen, moved, lang="en")
    expect(citizen.get_by_test_id("lookup-result")).to_contain_text("Appointment date")
    _no_horizontal_scroll(citizen)
    screenshot(citizen, "public-lookup-phone-en-result")

    citizen.locator("#id_tail").click()  # another try: the citizen taps the digits field
    _look_up(citizen, moved["code"], "0000")
    expect(citizen.get_by_test_id("lookup-message")).to_have_text(NOT_FOUND["en"])
    _no_horizontal_scroll(citizen)
    screenshot(citizen, "public-lookup-phone-en-not-found")
