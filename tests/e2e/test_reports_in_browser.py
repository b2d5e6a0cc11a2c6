"""A city supervisor opens the statistics of December 2026, drills down, and downloads the XLSX."""
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from onestop.core import clock
from tests.e2e.conftest import ARTIFACTS
from tests.reports.history import EXPECTED, NOW, december_history

pytestmark = pytest.mark.browser


def test_supervisor_drills_down_the_statistics_and_downloads_the_xlsx(committed, browser_page, login, tmp_path):
    history = december_history(committed)
    late_codes = [history.dossiers[name].code for name in EXPECTED["finished_late"]]
    committed.session.rollback()  # end the transaction: on SQLite the server's requests need its lock
    page = browser_page
    with clock.frozen(NOW):
        login(page, "hp.supervisor")
        page.get_by_role("navigation").get_by_role("link", name="Báo cáo", exact=True).click()
        expect(page.get_by_role("heading", name="Thống kê tình hình giải quyết hồ sơ")).to_be_visible()
        expect(page.get_by_test_id("period-label")).to_have_text("Tháng 01/2027")

        form = page.get_by_role("form", name="Kỳ báo cáo")
        form.get_by_label("Tháng", exact=True).fill("2026-12")
        form.get_by_role("button", name="Xem").click()
        expect(page.get_by_test_id("period-label")).to_have_text("Tháng 12/2026")
        expect(page.get_by_test_id("received-total")).to_have_text(str(len(EXPECTED["received"])))
        page.screenshot(path=str(ARTIFACTS / "reports-statistics.png"), full_page=True)

        # drill down: the late ones of the whole city, from the total row
        page.locator("tr[data-agency='total'] td[data-cat='finished_late'] a").click()
        expect(page).to_have_url(re.compile(r"/reports/statistics/dossiers\?.*category=finished_late"))
        expect(page.get_by_test_id("list-total")).to_have_text(str(len(EXPECTED["finished_late"])))
        listed = page.get_by_test_id("dossier-list").locator("tbody tr")
        expect(listed).to_have_count(len(EXPECTED["finished_late"]))
        for code in late_codes:
            expect(page.get_by_role("link", name=code)).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "reports-drill-down.png"), full_page=True)

        page.get_by_role("link", name=re.compile("Về bảng thống kê")).click()
        with page.expect_download() as download_info:
            page.get_by_test_id("export-xlsx").click()
        download = download_info.value
        assert download.suggested_filename == "thong-ke_HP_2026-12.xlsx"
        target = tmp_path / download.suggested_filename
        download.save_as(target)

        for name, url in (("overdue", "/reports/overdue"), ("bottlenecks", "/reports/bottlenecks?p=2026-12"),
                          ("trends", "/reports/trends")):
            page.goto(url)
            expect(page.locator("h1")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"reports-{name}.png"), full_page=True)

    rows = [[c.value for c in row] for row in load_workbook(Path(target)).active.iter_rows()]
    assert rows[0][0] == "Thống kê tình hình giải quyết thủ tục hành chính"
    assert "Tháng 12/2026" in rows[1][0] and "Hải Phòng" in rows[1][0]
    total = dict(zip(rows[3], next(r for r in rows if r[0] == "Tổng cộng"), strict=False))
    assert total["Tổng số nhận"] == len(EXPECTED["received"])
    assert total["Chờ bổ sung"] == len(EXPECTED["waiting"])
