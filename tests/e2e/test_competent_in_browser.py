"""The intake page's choice of the competent unit (reception regardless of administrative
boundary), in Chromium, on the two-tier tree.

The page, its script and every request it makes are answered by the app's test client inside the
test's rolled-back transaction (``page.route``), so the two-tier tree never outlives the test.
"""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.two_tier import two_tier_alone

pytestmark = pytest.mark.browser

ORIGIN = "http://onestop.test"
BIRTH = "1.001193"  # civil status: the unit where the applicant lives decides it
LAND = "1.013978"


@pytest.fixture
def desk_page(db, client, login_as, browser):
    two_tier_alone(db)
    login_as("hongbang.clerk")

    def answer(route) -> None:
        request = route.request
        path = request.url[len(ORIGIN):]
        response = client.open(path, method=request.method, data=request.post_data_buffer,
                               headers={k: v for k, v in request.headers.items() if k.lower() != "cookie"})
        try:
            route.fulfill(status=response.status_code, headers=dict(response.headers), body=response.get_data())
        finally:
            response.close()  # a static file is sent from an open file

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.route(f"{ORIGIN}/**", answer)
    page.goto(f"{ORIGIN}/desk/new")
    try:
        yield page
    finally:
        context.close()


def _choose(page, code: str) -> None:
    page.locator("#procedure_code").select_option(code)
    page.locator("#procedure_code").dispatch_event("change")


def _address(page, text: str) -> None:
    address = page.locator("#applicant_address")
    address.fill(text)
    address.dispatch_event("change")


def test_an_address_in_another_ward_proposes_that_ward_for_a_civil_status_dossier(desk_page):
    page = desk_page
    competent = page.locator("#competent")
    _choose(page, BIRTH)
    expect(page.get_by_test_id("competent")).to_be_visible()
    _address(page, "12 Tô Hiệu, phường Lê Chân, Hải Phòng")
    expect(competent.locator("option:checked")).to_have_text("Ủy ban nhân dân phường Lê Chân")
    expect(page.locator("#competent-hint")).to_contain_text("Theo nơi cư trú của người yêu cầu: Ủy ban nhân dân phường Lê Chân")
    screenshot(page, "intake-competent-proposed")

    _address(page, "5 Lê Lợi, Hồng Bàng, Hải Phòng")  # the desk's own ward: nothing proposed
    expect(competent).to_have_value("")
    expect(page.locator("#competent-hint")).to_contain_text("Tiếp nhận không phụ thuộc địa giới hành chính")


def test_the_clerks_own_choice_is_never_overwritten(desk_page):
    page = desk_page
    competent = page.locator("#competent")
    _choose(page, BIRTH)
    lechan = competent.locator("option", has_text="Ủy ban nhân dân phường Lê Chân").get_attribute("value")
    competent.select_option("")
    competent.dispatch_event("change")
    _address(page, "12 Tô Hiệu, phường Lê Chân, Hải Phòng")
    expect(competent).to_have_value("")
    competent.select_option(lechan)
    _address(page, "5 Lê Lợi, Hồng Bàng, Hải Phòng")
    expect(competent).to_have_value(lechan)


def test_a_procedure_decided_where_the_land_lies_proposes_nothing_from_the_address(desk_page):
    page = desk_page
    _choose(page, LAND)
    _address(page, "12 Tô Hiệu, phường Lê Chân, Hải Phòng")
    expect(page.locator("#competent")).to_have_value("")
