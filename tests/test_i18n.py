"""Vietnamese first, English second: the language switch, the translated pages, and a catalogue
that is complete, not fuzzy, compiled and in step with the code."""
import html
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import onestop
from onestop.config import TRANSLATIONS_DIR

ROOT = Path(onestop.__file__).resolve().parent.parent
PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
#: the extraction command of ``babel.cfg`` (keywords besides Babel's defaults)
KEYWORDS = ["-k", "_l", "-k", "lazy_pgettext:1c,2"]


def text(response) -> str:
    return response.get_data(as_text=True)


def words(response) -> str:
    """The page with its HTML entities resolved (``&#39;`` is ``'``)."""
    return html.unescape(text(response))


def english(client) -> None:
    response = client.get("/lang/en")
    assert response.status_code == 302


def read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


# --- the language switch -------------------------------------------------------------------------

def test_vietnamese_is_the_default(client):
    page = text(client.get("/login"))
    assert '<html lang="vi">' in page
    assert "<h1>Đăng nhập</h1>" in page and "Tên đăng nhập" in page and "Mật khẩu" in page
    assert 'data-testid="language-switch"' in page
    assert 'href="/lang/vi" lang="vi" hreflang="vi" aria-current="true">Tiếng Việt</a>' in page
    assert 'href="/lang/en" lang="en" hreflang="en">English</a>' in page


def test_the_switch_goes_back_where_it_was_and_is_on_the_public_pages(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/tra-cuu/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tra-cuu/")
    page = text(client.get("/tra-cuu/"))
    assert '<html lang="en">' in page
    assert "Look up the status of a dossier" in page and "Dossier code" in page
    assert 'data-testid="language-switch"' in page and 'hreflang="en" aria-current="true">English</a>' in page
    client.get("/lang/vi")
    page = text(client.get("/tra-cuu/"))
    assert '<html lang="vi">' in page and "Tra cứu tình trạng hồ sơ" in page


def test_login_page_in_english(client):
    english(client)
    page = text(client.get("/login"))
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page and ">Username</label>" in page and ">Password</label>" in page
    assert "Đăng nhập" not in page
    page = text(client.post("/login", data={"username": "", "password": ""}))
    assert "Enter your username." in page and "Enter your password." in page


def test_an_unknown_language_is_ignored(client):
    client.get("/lang/xx")
    with client.session_transaction() as session:
        assert "lang" not in session
    assert '<html lang="vi">' in text(client.get("/login"))
    english(client)
    client.get("/lang/xx")
    assert '<html lang="en">' in text(client.get("/login"))  # the choice stays


def test_flash_messages_in_english(client, login_as):
    english(client)
    page = text(client.get("/desk/", follow_redirects=True))  # not logged in: Flask-Login's message
    assert "Please log in." in page and "Vui lòng đăng nhập." not in page
    login_as("hb.clerk")
    page = text(client.post("/logout", follow_redirects=True))
    assert "You have been logged out." in page


def test_intake_form_and_its_errors_in_english(client, login_as):
    login_as("hb.clerk")
    english(client)
    page = words(client.get("/desk/new"))
    for label in ("Administrative procedure", "Applicant's full name", "Personal identification number (citizen ID)",
                  "Phone number", "How the result is collected", "At the reception desk", "By public postal service",
                  "Save and print the appointment slip", "— Choose a procedure —"):
        assert label in page, label
    assert "Số định danh cá nhân" not in page
    response = client.post("/desk/new", data={"procedure_code": "1.013978", "applicant_name": "Nguyễn Văn An",
                                              "applicant_id_number": "12345", "applicant_phone": "0912345678",
                                              "applicant_address": "12 Minh Khai", "delivery_method": "desk"})
    page = words(response)
    assert response.status_code == 422
    assert "The personal identification number has exactly 12 digits." in page
    assert "Required documents missing: Đơn đăng ký, cấp Giấy chứng nhận" in page
    # procedure and document names are official names: they stay as written
    assert "1.013978 · Đăng ký đất đai" in page and "Giấy tờ về quyền sử dụng đất" in page


def test_inbox_tabs_and_a_dossier_in_english(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    english(client)
    tabs = re.findall(r'data-tab="(\w+)">([^<]+)<span', text(client.get("/desk/")))
    assert [label.strip() for _key, label in tabs] == ["Online, awaiting reception", "To forward", "Result to return",
                                                        "Awaiting supplement", "Refused — slip to hand over",
                                                        "All at the desk"]
    page = text(client.get(f"/dossiers/{dossier.id}"))
    assert f"Dossier {dossier.code}" in page and ">In progress</span>" in page and "Processing history" in page
    assert ">Forward</button>" in page  # an action label of the engine's defaults
    login_as("stnmt.officer")
    tabs = re.findall(r'data-tab="(\w+)">([^<]+)<span', words(client.get("/inbox")))
    assert [label.strip() for _key, label in tabs] == ["Newly assigned to me", "In my hands", "Due soon", "Overdue",
                                                        "Awaiting the citizen's supplement", "Consultation",
                                                        "Whole agency"]


def test_operation_errors_and_the_json_api_in_english(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    english(client)
    response = client.post(f"/dossiers/{dossier.id}/action", data={"action": "refuse"})
    assert response.status_code == 422
    assert "A reason must be given." in text(response)
    response = client.get("/desk/api/citizens/123", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "The personal identification number has exactly 12 digits."


def test_dates_stay_day_month_year_in_english(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    english(client)
    page = text(client.get(f"/dossiers/{dossier.id}"))
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} at ", page)


def test_the_slips_stay_in_vietnamese(client, login_as, create_dossier, user):
    from onestop.dossiers.operations import perform_action

    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "refuse", note="Thiếu giấy tờ")
    login_as("hb.clerk")
    english(client)
    page = text(client.get(f"/dossiers/{dossier.id}/slips/06"))
    assert "Từ chối" in page and "Refuse" not in page  # the status and the action as on paper
    assert "Download PDF" in page  # the buttons around the paper follow the page's language


def test_reports_in_english_and_their_files_in_vietnamese(client, login_as, create_dossier):
    create_dossier()
    login_as("hp.supervisor")
    english(client)
    page = words(client.get("/reports/statistics"))
    assert "Statistics of dossier processing" in page and "Total received" in page and "By receiving agency" in page
    exported = client.get("/reports/statistics?format=csv").get_data().decode("utf-8-sig")
    assert exported.startswith("Thống kê tình hình giải quyết thủ tục hành chính")
    assert "Tổng số nhận" in exported and "Total received" not in exported
    assert "Overdue dossiers" in words(client.get("/reports/overdue"))


def test_report_numbers_follow_the_language(app, client, login_as, create_dossier):
    from flask import session
    from flask_babel import refresh

    from onestop.web import one_decimal, thousands
    for lang, grouped, decimal in (("vi", "12.345", "12,5"), ("en", "12,345", "12.5")):
        with app.test_request_context():
            session["lang"] = lang
            refresh()
            assert (thousands(12345), one_decimal(12.5)) == (grouped, decimal)
    create_dossier()
    login_as("hp.supervisor")
    english(client)
    page = words(client.get("/reports/statistics"))
    assert "0.0%" in page and "0,0%" not in page


def test_the_admin_calendar_in_english(client, login_as):
    login_as("admin")
    english(client)
    page = words(client.get("/admin/calendar"))
    assert "<h1>Working calendar</h1>" in page
    assert "Default: all procedures" in words(client.get("/admin/reminders"))
    response = client.post("/admin/calendar/overrides", data={"day": "", "kind": "off"})
    assert response.status_code == 422 and "Choose the day to adjust." in words(response)


# --- the catalogue ----------------------------------------------------------------------------------

def test_every_message_has_an_english_translation():
    catalog = read_catalog(PO)
    assert catalog.locale.language == "en"
    assert len(catalog) > 300
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"untranslated: {message.id!r}"


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "messages.mo"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(PO), "-o", str(compiled),
                    "-l", "en"], check=True, capture_output=True)
    with compiled.open("rb") as fresh, MO.open("rb") as committed:
        want, have = read_mo(fresh), read_mo(BytesIO(committed.read()))
    assert _entries(have) == _entries(want), "run: pybabel compile -d onestop/translations"


def _entries(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value
    return {(m.context, plain(m.id)): plain(m.string) for m in catalog if m.id}


def test_no_message_of_the_code_is_missing_from_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", *KEYWORDS,
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    extracted = {(m.context, m.id) for m in read_catalog(pot) if m.id}
    translated = {(m.context, m.id) for m in read_catalog(PO) if m.id}
    assert extracted - translated == set(), "new messages: run pybabel extract / update and translate them"


@pytest.mark.parametrize("path", sorted((ROOT / "onestop" / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_templates_use_only_what_the_extractor_sees(path):
    """A message is found by the extractor only as a literal: ``_(variable)`` or ``_('a' ~ b)`` would be missed."""
    source = path.read_text(encoding="utf-8")
    for call in re.findall(r"\b(?:_|gettext|ngettext|pgettext)\(\s*([^'\"\s])", source):
        pytest.fail(f"{path.name}: a translation call without a literal message ({call}…)")


#: the official papers: Vietnamese by law, never translated
PAPER_TEMPLATES = {"slips/01_receipt.html", "slips/02_supplement.html", "slips/03_refusal.html",
                   "slips/04_extension.html", "slips/05_stop.html", "slips/06_control.html", "slips/_macros.html",
                   "slips/_pdf_page.html", "slips/_slip_base.html", "slips/_receipt_extension.html",
                   "slips/fee_receipt.html", "slips/result_cover.html"}
#: Vietnamese that stays as it is on every page: the switch names each language in that language
UNTRANSLATED = ("Tiếng Việt", "Ngôn ngữ · Language")
_VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
_LITERAL = r"""(?:'[^']*'|"[^"]*")"""
_MESSAGE = re.compile(rf"\b(?:_|gettext|ngettext|pgettext)\(\s*{_LITERAL}(?:\s*,\s*{_LITERAL})*")


@pytest.mark.parametrize("name", sorted(
    {str(p.relative_to(ROOT / "onestop" / "templates")) for p in (ROOT / "onestop" / "templates").rglob("*.html")}
    - PAPER_TEMPLATES))
def test_no_vietnamese_text_outside_a_translation_call(name):
    """Page text is written in Vietnamese inside ``_()``; text left outside would stay Vietnamese in English."""
    source = re.sub(r"{#.*?#}", "", (ROOT / "onestop" / "templates" / name).read_text(encoding="utf-8"), flags=re.S)
    source = _MESSAGE.sub("", source)
    for allowed in UNTRANSLATED:
        source = source.replace(allowed, "")
    left = [line.strip() for line in source.splitlines() if _VIETNAMESE.search(line)]
    assert not left, f"{name}: wrap in _() — {left}"
