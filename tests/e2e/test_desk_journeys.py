"""The desk's journeys that changed, in Chromium with the keyboard where a clerk uses it: a fee at
intake (computed as the pages are typed, paid, receipted), an organisation filing through its
representative, a dossier received by post, and the citizen's rating on the page the desk turns
toward them. Screenshots under test-artifacts/e2e/."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.models import Channel, Dossier
from onestop.dossiers.operations import perform_action
from onestop.fees.models import FeePayment
from onestop.ratings.models import Rating
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

COPY = "2.000815"
LAND = "1.013978"


def _open_intake(page, query: str = "") -> None:
    page.goto("/desk/new" + query)
    expect(page.locator("#procedure-search")).to_be_focused()


def _pick(page, words: str, code: str) -> None:
    page.keyboard.type(words)
    page.keyboard.press("Enter")
    expect(page.locator("#procedure_code")).to_have_value(code)


def _tick_required(page, code: str) -> None:
    """Space on each required paper, Tab to the next, until the focus leaves the checklist."""
    for _ in range(20):
        focused = page.evaluate("() => ({name: document.activeElement.name, required: !!document.activeElement"
                                ".closest('label')?.querySelector('.req:not([hidden])')})")
        if focused["name"] != "documents":
            return
        if focused["required"]:
            page.keyboard.press("Space")
        page.keyboard.press("Tab")


def _type_person(page, id_number: str, name: str) -> None:
    expect(page.locator("input[name=applicant_kind][value=person]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#applicant_id_number")).to_be_focused()
    page.keyboard.type(id_number)
    page.keyboard.press("Tab")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type("+84 912 345 678")  # as people write it
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # no e-mail
    page.keyboard.type("12 Minh Khai, Hồng Bàng, Hải Phòng")


def _saved(committed, code_text: str) -> Dossier:
    committed.session.rollback()
    dossier = committed.session.scalar(select(Dossier).where(Dossier.code == code_text))
    assert dossier is not None
    return dossier


def test_a_fee_at_intake_is_computed_as_typed_paid_and_receipted(committed, browser_page, login):
    page = browser_page
    login(page, "hbmk.clerk")
    _open_intake(page)
    _pick(page, "chung thuc", COPY)
    _tick_required(page, COPY)
    fees = page.get_by_test_id(f"fees-{COPY}")
    expect(page.locator("#fee_pages-2-000815")).to_be_focused()
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.type("2")  # two copies of five pages: 2 × (2 × 2,000 + 3 × 1,000)
    expect(fees.get_by_test_id("fee-intake")).to_have_text("14.000 đ")
    expect(fees).to_contain_text("2 bản × 5 trang")
    page.keyboard.press("Tab")
    _type_person(page, "031190004321", "Trần Thị Bình")
    payment = page.get_by_test_id("payment")
    expect(payment).to_be_visible()
    payment.get_by_role("radio", name="Chuyển khoản").check()
    expect(page.get_by_label("Mã giao dịch chuyển khoản")).to_be_visible()
    page.get_by_label("Mã giao dịch chuyển khoản").fill("FT26341123")
    screenshot(page, "desk-fee-1-intake")
    page.get_by_role("button", name="Lưu và in phiếu hẹn").click()
    expect(page).to_have_url(re.compile(r"/desk/dossiers/\d+/receipt$"))
    dossier = _saved(committed, page.get_by_test_id("dossier-code").inner_text())
    dossier_id = dossier.id
    payment_row = committed.session.scalar(select(FeePayment).where(FeePayment.dossier_id == dossier_id))
    assert (payment_row.amount, payment_row.method, payment_row.reference) == (14000, "transfer", "FT26341123")
    assert dossier.applicant_phone == "0912345678"
    committed.session.rollback()  # on SQLite an open transaction would hold the live server's lock
    page.goto(f"/dossiers/{dossier_id}")
    receipts = page.get_by_test_id("receipts")
    expect(receipts).to_contain_text("0000001")
    expect(receipts).to_contain_text("FT26341123")
    screenshot(page, "desk-fee-2-dossier")
    with page.expect_response(lambda r: r.url.endswith("receipt.pdf")) as response:
        page.evaluate("(url) => fetch(url)", receipts.get_by_test_id("receipt-pdf").get_attribute("href"))
    assert response.value.status == 200 and response.value.headers["content-type"] == "application/pdf"


def test_an_organisation_files_through_a_representative(committed, browser_page, login):
    page = browser_page
    login(page, "hb.clerk")
    _open_intake(page)
    _pick(page, "dat dai lan dau", LAND)
    _tick_required(page, LAND)
    for value in ("125", "14", "86,5"):  # the parcel
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    expect(page.locator("input[name=applicant_kind][value=person]")).to_be_focused()
    page.keyboard.press("ArrowDown")  # an organisation
    expect(page.locator("#applicant_id_number")).to_be_hidden()
    expect(page.get_by_label("Tên tổ chức")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#applicant_tax_code")).to_be_focused()
    page.keyboard.type("0201234567")
    page.keyboard.press("Tab")
    page.keyboard.type("Công ty TNHH Cảng Xanh")
    page.keyboard.press("Tab")
    page.keyboard.type("Phạm Văn Dũng")
    page.keyboard.press("Tab")
    page.keyboard.type("0225 3812 345")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("3 Lê Thánh Tông, Ngô Quyền, Hải Phòng")
    page.keyboard.press("Tab")  # the delivery method
    page.keyboard.press("Tab")
    expect(page.locator("#on_behalf")).to_be_focused()
    authorisation = page.locator(f".checklist[data-procedure='{LAND}'] input[value=submitter_authorisation]")
    expect(authorisation).to_be_hidden()  # until someone files on behalf
    page.keyboard.press("Space")  # filed on its behalf
    expect(page.get_by_test_id("submitter")).to_be_visible()
    expect(authorisation).to_be_visible()
    expect(authorisation).to_be_checked()  # handed in with it
    authorisation.uncheck()  # … but not this time
    page.locator("#submitter_name").focus()
    page.keyboard.type("Lê Văn Cường")
    page.keyboard.press("Tab")
    page.keyboard.type("031085007421")
    # the authorisation is not ticked yet: refused, with what is missing
    page.get_by_role("button", name="Lưu và in phiếu hẹn").click()
    expect(page.get_by_role("alert").first).to_contain_text("Văn bản ủy quyền cho người nộp hồ sơ")
    expect(page.get_by_label("Tên tổ chức")).to_have_value("Công ty TNHH Cảng Xanh")  # kept, and still shown
    expect(page.locator("#applicant_id_number")).to_be_hidden()
    page.locator(f".checklist[data-procedure='{LAND}'] input[value=submitter_authorisation]").check()
    screenshot(page, "desk-representative-1-intake")
    page.get_by_role("button", name="Lưu và in phiếu hẹn").click()
    expect(page).to_have_url(re.compile(r"/desk/dossiers/\d+/receipt$"))
    slip = page.locator(".slip")
    expect(slip).to_contain_text("Tổ chức: Công ty TNHH Cảng Xanh — Mã số thuế: 0201234567")
    expect(slip).to_contain_text("Người nộp thay: Lê Văn Cường")
    expect(slip).to_contain_text("Thửa đất số: 125")
    screenshot(page, "desk-representative-2-receipt")
    dossier = _saved(committed, page.get_by_test_id("dossier-code").inner_text())
    assert (dossier.applicant_kind, dossier.applicant_tax_code, dossier.submitter_id_number, dossier.applicant_phone) == (
        "organisation", "0201234567", "031085007421", "02253812345")
    committed.session.rollback()


def test_a_dossier_received_by_post(committed, browser_page, login):
    page = browser_page
    login(page, "hb.clerk")
    _open_intake(page, "?channel=post")
    expect(page.get_by_test_id("by-post")).to_be_visible()
    _pick(page, "dat dai lan dau", LAND)
    _tick_required(page, LAND)
    for value in ("77", "3", "120"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    _type_person(page, "031190004321", "Trần Thị Bình")
    page.get_by_label("Số vận đơn bưu chính (hồ sơ gửi đến)").fill("eb123456789vn")
    screenshot(page, "desk-post-1-intake")
    page.get_by_role("button", name="Lưu và in phiếu hẹn").click()
    expect(page.get_by_text("Nhập ngày bưu điện nhận gửi.")).to_be_visible()
    page.get_by_label("Ngày bưu điện nhận gửi").fill(page.evaluate(
        "() => { const d = new Date(); return d.toISOString().slice(0, 10); }"))
    page.get_by_role("button", name="Lưu và in phiếu hẹn").click()
    expect(page).to_have_url(re.compile(r"/desk/dossiers/\d+/receipt$"))
    dossier = _saved(committed, page.get_by_test_id("dossier-code").inner_text())
    dossier_id = dossier.id
    assert (dossier.channel, dossier.intake_waybill) == (Channel.POST, "EB123456789VN")
    committed.session.rollback()
    page.goto(f"/dossiers/{dossier_id}")
    expect(page.get_by_test_id("post-intake")).to_contain_text("EB123456789VN")
    screenshot(page, "desk-post-2-dossier")


def test_the_citizen_rates_on_the_page_the_desk_turns_toward_them(committed, create_dossier, browser_page, login):
    def user(username: str) -> User:  # not the ``user`` fixture: it binds the session to a test transaction
        return committed.session.scalar(select(User).where(User.username == username))

    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
        perform_action(dossier, user(username), action, note="ok")
    dossier_id = dossier.id
    committed.session.commit()  # and no transaction left open: on SQLite it would hold the server's lock
    page = browser_page
    login(page, "hbmk.clerk")
    page.goto(f"/dossiers/{dossier_id}")
    expect(page.get_by_label("Họ tên người nhận kết quả")).to_be_focused()
    page.keyboard.press("Enter")  # the applicant collects it: the name is filled in
    expect(page).to_have_url(re.compile(rf"/desk/dossiers/{dossier_id}/danh-gia$"))
    kiosk = page.get_by_test_id("rating-kiosk")
    expect(kiosk).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)  # nothing of the staff's on it
    expect(page.locator(".reasons-bad")).to_be_hidden()
    screenshot(page, "desk-rating-1-kiosk")
    page.get_by_text("Chưa hài lòng", exact=True).click()
    expect(page.locator(".reasons-bad")).to_be_visible()
    expect(page.locator(".reasons-good")).to_be_hidden()
    page.get_by_label("Trả kết quả trễ hẹn").check()
    page.get_by_label("Ý kiến khác").fill("Phải chờ lâu ở quầy")
    screenshot(page, "desk-rating-2-answered")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_test_id("rating-thanks")).to_be_visible()
    screenshot(page, "desk-rating-3-thanks")
    committed.session.rollback()
    rating = committed.session.get(Rating, dossier_id)
    assert (rating.satisfied, rating.reasons, rating.comment, rating.via) == (False, ["late"], "Phải chờ lâu ở quầy",
                                                                              "desk")
    committed.session.rollback()
    page.get_by_role("link", name="Cán bộ: quay lại hồ sơ").click()
    expect(page.get_by_test_id("rating")).to_contain_text("Chưa hài lòng")
