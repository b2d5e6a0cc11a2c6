"""The procedure catalogue pages and the diagram on the dossier page (rendered HTML; the drawing
itself is checked in a real browser in tests/e2e/test_diagrams_in_browser.py)."""
import html
import re
from pathlib import Path

import pytest

import onestop
from onestop.dossiers.operations import perform_action
from onestop.workflows.views import fold, holder_label
from tests.workflows.demo_desks import CATALOGUE

VENDOR = Path(onestop.__file__).with_name("static") / "vendor" / "mermaid"


def _codes(page: str) -> list[str]:
    return re.findall(r'<td><a href="/procedures/([\w.-]+)">', page)


def test_catalogue_needs_a_login(client):
    response = client.get("/procedures/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_shows_every_procedure_with_its_facts(client, login_as):
    login_as("hb.officer")
    page = client.get("/procedures/").get_data(as_text=True)
    assert set(_codes(page)) == set(CATALOGUE) and len(_codes(page)) == 2 * len(CATALOGUE)
    assert 'href="/procedures/"' in page  # the nav link
    land = CATALOGUE["1.013978"]
    for fact in (land.name, land.field, f"{land.budget_days:g} ngày làm việc", land.documents[0].name):
        assert html.escape(fact) in page


@pytest.mark.parametrize(("query", "expected"), [
    ("1.001193", {"1.001193"}),
    ("dat dai", {"1.013978", "HP-DD-01", "HP-DD-01T"}),
    ("ĐẤT ĐAI", {"1.013978", "HP-DD-01", "HP-DD-01T"}),
    ("khai sinh", {"1.001193", "2.000986"}),
    ("hộ tịch", {"1.000656", "1.000894", "1.001193", "2.000986"}),
    ("không có thủ tục này", set()),
])
def test_search_by_code_name_or_field_with_or_without_accents(client, login_as, query, expected):
    login_as("hb.clerk")
    page = client.get("/procedures/", query_string={"q": query}).get_data(as_text=True)
    assert set(_codes(page)) == expected
    if not expected:
        assert "Không tìm thấy thủ tục nào." in page


def test_filter_by_level(client, login_as):
    login_as("hb.clerk")
    page = client.get("/procedures/", query_string={"level": "department"}).get_data(as_text=True)
    assert set(_codes(page)) == {c for c, p in CATALOGUE.items() if p.level == "department"}


def test_procedure_page_lists_steps_and_draws_the_diagram(client, login_as):
    login_as("hb.officer")
    procedure = CATALOGUE["2.000986"]
    page = client.get("/procedures/2.000986").get_data(as_text=True)
    for step in procedure.steps:
        assert f'id="step-{step.key}"' in page and html.escape(step.name) in page
    assert "Cơ quan ngành công an" in page and "Cơ quan ngành bảo hiểm xã hội" in page
    assert "80 giờ (10 ngày)" in page
    assert html.escape(procedure.step("residence_registration").action("forward").label) in page
    diagram = re.search(r'<pre class="mermaid"[^>]*>(.*?)</pre>', page, re.S)
    assert diagram and html.unescape(diagram[1]).startswith("stateDiagram-v2\n")
    assert "s_reception --&gt; s_birth_registration" in diagram[1]
    assert '/static/vendor/mermaid/mermaid.min.js' in page and '/static/diagram.js' in page
    assert " current\n" not in html.unescape(diagram[1])  # no dossier, nothing highlighted


def test_unknown_procedure_is_not_found(client, login_as):
    login_as("hb.officer")
    assert client.get("/procedures/9.999999").status_code == 404


def test_dossier_page_highlights_the_current_step_and_marks_the_passed(client, login_as, db, create_dossier, user):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")
    perform_action(dossier, user("hb.officer"), "forward")
    db.session.commit()
    login_as("stnmt.officer")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    diagram = html.unescape(re.search(r'<pre class="mermaid"[^>]*>(.*?)</pre>', page, re.S)[1])
    assert "  class s_department_appraisal current\n" in diagram
    assert "  class s_reception,s_district_check passed\n" in diagram
    assert 'data-testid="dossier-diagram"' in page


def test_mermaid_is_served_from_our_static_files(client):
    script = VENDOR / "mermaid.min.js"
    assert 1_000_000 < script.stat().st_size < 5_000_000
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    response = client.get("/static/vendor/mermaid/mermaid.min.js")
    assert response.status_code == 200 and response.content_length == script.stat().st_size
    response.close()


def test_fold_and_holder_labels():
    assert fold("Đăng ký Đất đai lần đầu") == "dang ky dat dai lan dau"
    assert holder_label("desk") == "Bộ phận một cửa nơi tiếp nhận"
    assert holder_label("level:district").startswith("Quận, huyện")
    assert holder_label("sector:police") == "Cơ quan ngành công an"
    assert holder_label("agency:CTHP") == "Cơ quan mã CTHP"
    assert holder_label("competent").startswith("Đơn vị có thẩm quyền giải quyết")
