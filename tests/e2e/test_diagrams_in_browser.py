"""Procedure diagrams drawn by the vendored Mermaid in Chromium, and a consultation between agencies."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.operations import perform_action
from onestop.workflows.engine import engine

pytestmark = pytest.mark.browser

DRAWN = "figure.diagram[data-drawn='1'] svg"
QUESTION = "Đề nghị Sở cho ý kiến về nguồn gốc sử dụng đất."
ANSWER = "Đất được giao hợp pháp năm 1992; đủ điều kiện cấp Giấy chứng nhận."


def _user(db, username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _no_console_errors(page) -> list[str]:
    """Script errors and failed requests of the page (the browser's own favicon request aside)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    return errors


def test_catalogue_search_and_procedure_diagram(committed, browser_page, login):
    page = browser_page
    errors = _no_console_errors(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    login(page, "hb.officer")
    page.get_by_role("link", name="Danh mục thủ tục").click()
    total = len(engine().procedures())
    expect(page.get_by_test_id("result-count")).to_contain_text(f"{total} / {total}")
    page.locator("#q").fill("dat dai lan dau")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-count")).to_contain_text(f"1 / {total}")
    page.get_by_role("link", name="1.013978").click()
    expect(page).to_have_url(re.compile(r"/procedures/1\.013978$"))
    expect(page.locator(DRAWN)).to_be_visible()
    nodes = page.locator(f"{DRAWN} g.node.statediagram-state")
    expect(nodes).to_have_count(9)  # every step of the procedure
    expect(page.locator(f"{DRAWN} g.node.current")).to_have_count(0)
    expect(page.locator(DRAWN)).to_contain_text("Sở Tài nguyên và Môi trường thẩm định")
    assert all(url.startswith(page.url.split("/procedures")[0]) for url in requests), "nothing from outside"
    assert errors == []


def test_dossier_diagram_highlights_the_current_step(committed, create_dossier, browser_page, login):
    dossier = create_dossier()
    perform_action(dossier, _user(committed, "hb.clerk"), "forward")
    perform_action(dossier, _user(committed, "hb.officer"), "forward", note="Đủ điều kiện")
    dossier_id = dossier.id
    committed.session.commit()  # from here on the test reads nothing: a read would hold SQLite's write lock
    page = browser_page
    errors = _no_console_errors(page)
    login(page, "stnmt.officer")
    page.goto(f"/dossiers/{dossier_id}")
    diagram = page.get_by_test_id("dossier-diagram")
    diagram.scroll_into_view_if_needed()
    expect(diagram.locator(DRAWN)).to_be_visible()
    current = diagram.locator("svg g.node.current")
    expect(current).to_have_count(1)
    assert "-state-s_department_appraisal-" in current.get_attribute("id")
    expect(current).to_contain_text("Sở Tài nguyên và Môi trường thẩm định")
    passed = diagram.locator("svg g.node.passed")
    expect(passed).to_have_count(2)
    assert {re.search(r"-state-s_(\w+?)-\d+$", passed.nth(i).get_attribute("id"))[1] for i in range(2)} == {
        "reception", "district_check"}
    fill = current.locator("rect, path").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(253, 230, 138)", fill  # the "current" colour
    assert errors == []


def test_consultation_between_two_agencies(committed, create_dossier, new_page, login):
    dossier = create_dossier()
    perform_action(dossier, _user(committed, "hb.clerk"), "forward")
    dossier_id, code = dossier.id, dossier.code
    committed.session.commit()

    holder = new_page()
    login(holder, "hb.officer")
    holder.goto(f"/dossiers/{dossier_id}")
    holder.get_by_text("Xin ý kiến cơ quan khác").click()
    holder.get_by_label("Cơ quan được xin ý kiến").select_option(label="Sở Tài nguyên và Môi trường")
    holder.get_by_label("Nội dung xin ý kiến").fill(QUESTION)
    holder.get_by_role("button", name="Gửi xin ý kiến").click()
    expect(holder.locator(".flash.success")).to_contain_text("Đã gửi xin ý kiến")
    expect(holder.get_by_test_id("consultation")).to_have_attribute("data-state", "open")
    expect(holder.get_by_test_id("step")).to_contain_text("kiểm tra hồ sơ")  # the dossier did not move

    consulted = new_page()
    login(consulted, "stnmt.officer")
    consulted.goto("/inbox")
    tab = consulted.locator("[data-tab='consulted']")
    expect(tab).to_contain_text("Xin ý kiến 1")
    tab.click()
    consulted.get_by_role("link", name=code).click()
    expect(consulted.get_by_test_id("consultation")).to_contain_text(QUESTION)
    consulted.get_by_label("Ý kiến trả lời").fill(ANSWER)
    consulted.get_by_role("button", name="Gửi ý kiến").click()
    expect(consulted.locator(".flash.success")).to_contain_text("Đã gửi ý kiến trả lời")
    expect(consulted.get_by_test_id("consultation")).to_have_attribute("data-state", "answered")

    holder.reload()
    expect(holder.get_by_test_id("consultation")).to_contain_text(ANSWER)
    expect(holder.get_by_test_id("history")).to_contain_text("Trả lời xin ý kiến")
