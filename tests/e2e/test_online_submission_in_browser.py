"""A citizen files a birth registration online with its files; the chosen ward desk sees it in its tab,
accepts it and lands on the receipt; the citizen then looks the reference up and finds the dossier code.

Submissions and failed look-ups are throttled per address in ``lookup_attempts``; ``no_throttle``
clears the table before and after.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MINH_KHAI = "Ủy ban nhân dân phường Minh Khai"


def test_a_citizen_files_online_and_the_desk_accepts_it(new_page, login, no_throttle, tmp_path):
    declaration = tmp_path / "To khai khai sinh.pdf"
    declaration.write_bytes(PDF)
    notice = tmp_path / "Giay chung sinh.pdf"
    notice.write_bytes(PDF)
    fake = tmp_path / "giay-chung-sinh.pdf"
    fake.write_text("not really a PDF")

    citizen = new_page()
    citizen.goto("/tra-cuu/")
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    screenshot(citizen, "online-submission-0-procedures")
    citizen.get_by_test_id("online-procedures").get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(citizen.get_by_text("1.001193 · Đăng ký khai sinh")).to_be_visible()
    citizen.get_by_label("Nơi tiếp nhận hồ sơ").select_option(label=MINH_KHAI)
    citizen.get_by_label("Họ và tên người nộp", exact=True).fill("Trần Thị Bình")
    citizen.get_by_label("Số định danh cá nhân (CCCD)").fill("031190004321")
    citizen.get_by_label("Số điện thoại", exact=True).fill("0987654321")
    citizen.get_by_label("Địa chỉ", exact=True).fill("5 Lê Lợi, Máy Tơ, Ngô Quyền")
    details = citizen.get_by_test_id("online-details")  # the child: the procedure's own data
    details.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Trần Minh Khang")
    details.get_by_label("Giới tính").select_option("Nam")
    details.get_by_label("Ngày sinh").fill("02/11/2026")
    details.get_by_label("Nơi sinh").fill("Bệnh viện Phụ sản Hải Phòng")
    citizen.locator("#file_declaration").set_input_files(str(declaration))
    citizen.locator("#file_birth_notice").set_input_files(str(fake))
    citizen.get_by_role("button", name="Nộp hồ sơ").click()

    documents = citizen.get_by_test_id("online-documents")
    expect(documents.get_by_role("alert")).to_contain_text("Chỉ nhận tệp")
    expect(citizen.locator("#file_birth_notice")).to_have_attribute("aria-invalid", "true")
    expect(citizen.get_by_label("Họ và tên người nộp", exact=True)).to_have_value("Trần Thị Bình")
    screenshot(citizen, "online-submission-1-refused-file")
    citizen.locator("#file_declaration").set_input_files(str(declaration))
    citizen.locator("#file_birth_notice").set_input_files(str(notice))
    citizen.get_by_role("button", name="Nộp hồ sơ").click()

    reference = citizen.get_by_test_id("online-reference")
    expect(reference).to_have_text(re.compile(r"^TT-\d{6}-[2-9A-Z]{6}$"))
    reference = reference.inner_text()
    screenshot(citizen, "online-submission-2-submitted")

    clerk = new_page()
    login(clerk, "hbmk.clerk")
    clerk.goto("/desk/")
    tab = clerk.locator('[data-tab="online"]')
    expect(tab).to_contain_text("Trực tuyến chờ tiếp nhận")
    expect(tab.locator(".tab-count")).to_have_text("1")
    tab.click()
    expect(clerk.get_by_test_id("online-application")).to_have_count(1)
    screenshot(clerk, "online-submission-3-desk-tab")
    clerk.get_by_role("link", name=reference).click()
    files = clerk.get_by_test_id("online-files")
    expect(files).to_contain_text("To khai khai sinh.pdf")
    expect(files).to_contain_text("Giay chung sinh.pdf")
    screenshot(clerk, "online-submission-4-desk-application")
    clerk.get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    expect(clerk).to_have_url(re.compile(r"/desk/dossiers/\d+/receipt$"))
    flash = clerk.locator(".flash.success")
    expect(flash).to_contain_text("Đã tiếp nhận hồ sơ HBMK-")
    code = re.search(r"HBMK-\d{6}-\d{4}", flash.inner_text()).group(0)
    expect(clerk.locator("body")).to_contain_text(code)

    citizen.get_by_role("link", name="Tra cứu hồ sơ").last.click()
    expect(citizen.get_by_label("Mã hồ sơ")).to_have_value(reference)
    citizen.get_by_label("4 số cuối số định danh cá nhân").fill("4321")
    citizen.get_by_role("button", name="Tra cứu", exact=True).click()
    expect(citizen.get_by_test_id("public-status")).to_have_text("Đã tiếp nhận")
    expect(citizen.get_by_test_id("public-dossier-code")).to_have_text(code)
    screenshot(citizen, "online-submission-5-reference-looked-up")
    citizen.get_by_test_id("public-dossier-code").get_by_role("link").click()
    expect(citizen.get_by_label("Mã hồ sơ")).to_have_value(code)
    expect(citizen.get_by_label("4 số cuối số định danh cá nhân")).to_be_focused()
    citizen.keyboard.type("4321")
    citizen.keyboard.press("Enter")
    expect(citizen.get_by_test_id("public-status")).to_contain_text("Đang giải quyết")
