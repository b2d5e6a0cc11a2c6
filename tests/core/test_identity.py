"""IDs and phones as people write them: every Unicode decimal digit is its ASCII digit, the
personal ID's structure is checked, a phone is stored in one form, and every form that takes one
(desk intake, online filing, the look-up, the pre-fill) goes through the same normaliser."""
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from onestop.core import clock, identity
from onestop.core.identity import InvalidNumber
from onestop.dossiers.models import Dossier
from tests.conftest import vn

#: every character Unicode calls a decimal digit, by its value
DIGITS: dict[int, list[str]] = {v: [] for v in range(10)}
for _code in range(sys.maxunicode + 1):
    _ch = chr(_code)
    if unicodedata.category(_ch) == "Nd":
        DIGITS[unicodedata.decimal(_ch)].append(_ch)
VALID_ID = "031090001234"  # Hải Phòng, a man born in 1990
SEPARATORS = st.sampled_from(["", " ", ".", "-", "\u00a0", "\u202f", " - "])


def written(number: str, draw_digit, draw_separator) -> str:
    """``number`` written with a digit of any script for each digit, groups separated anyhow."""
    return "".join(draw_digit(int(c)) + (draw_separator() if i % 3 == 2 else "") for i, c in enumerate(number))


def test_the_table_holds_every_script():
    assert sum(len(chars) for chars in DIGITS.values()) > 600
    assert "٣" in DIGITS[3] and "３" in DIGITS[3] and "३" in DIGITS[3] and "𝟑" in DIGITS[3]


@pytest.mark.parametrize("value", range(10))
def test_every_unicode_decimal_digit_is_its_ascii_digit(value):
    for ch in DIGITS[value]:
        assert identity.ascii_digits(ch) == str(value), f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}"
        assert identity.id_tail(ch * 4) == str(value) * 4


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_personal_id_in_any_digits_is_stored_in_ascii(data):
    typed = written(VALID_ID, lambda v: data.draw(st.sampled_from(DIGITS[v])), lambda: data.draw(SEPARATORS))
    assert identity.personal_id(typed + data.draw(st.sampled_from(["", "\n", " ", "\r\n"]))) == VALID_ID


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from(["0912345678", "0862345678", "02253812345"]),
       st.sampled_from(["0", "+84", "+84 ", "(+84) ", "0084", "84", "+84 (0) "]))
def test_a_phone_in_any_digits_and_forms_is_stored_in_its_national_form(data, national, prefix):
    rest = written(national[1:], lambda v: data.draw(st.sampled_from(DIGITS[v])), lambda: data.draw(SEPARATORS))
    assert identity.phone(prefix + rest) == national


@pytest.mark.parametrize("typed", ["+84 912 345 678", "091-234-5678", "0912.345.678", "(+84) 912-345-678",
                                   "84912345678", "0084 912 345 678", "+84 (0) 912 345 678", "０９１２３４５６７８"])
def test_phones_as_people_write_them(typed):
    assert identity.phone(typed) == "0912345678"


@pytest.mark.parametrize("typed, message", [
    ("000000000000", "không thể toàn chữ số 0"),
    ("999090001234", "Ba chữ số đầu (999)"),
    ("003090001234", "Ba chữ số đầu (003)"),  # no province was given 003
    ("031590001234", "năm sinh 2190"),  # 5: a woman born in the 22nd century, not come yet
    ("031299001234", "năm sinh 2099"),
    ("03109000123", "gồm đúng 12 chữ số"),
    ("0310900012345", "gồm đúng 12 chữ số"),
    ("03109000123a", "gồm đúng 12 chữ số"),
    ("0310900\x001234", "gồm đúng 12 chữ số"),
    ("", "gồm đúng 12 chữ số"),
])
def test_a_personal_id_with_a_wrong_structure_is_refused_with_the_reason(app, typed, message):
    with app.test_request_context():
        with clock.frozen(vn(2026, 12, 7, 9)):
            with pytest.raises(InvalidNumber) as refused:
                identity.personal_id(typed)
    assert message in str(refused.value)


def test_the_century_digit_and_the_year_of_birth():
    with clock.frozen(vn(2026, 12, 7, 9)):
        assert identity.personal_id("031226001234") == "031226001234"  # born in 2026: fine
        assert identity.facts("031226001234").birth_year == 2026
        assert identity.facts("001185001234") == identity.PersonalIdFacts("Hà Nội", "female", 1985)
        assert identity.facts("079090001234").sex == "male"
        with pytest.raises(InvalidNumber):
            identity.personal_id("031227001234")  # born next year


def test_the_province_codes_are_the_63_of_the_circular():
    codes = identity.province_codes()
    assert len(codes) == 63
    assert codes["031"] == "Hải Phòng" and codes["001"] == "Hà Nội" and codes["079"] == "Hồ Chí Minh"
    assert all(len(code) == 3 and code.isdigit() for code in codes)


@pytest.mark.parametrize("typed, stored", [("0201234567", "0201234567"), ("0201234567-001", "0201234567-001"),
                                           ("0201234567001", "0201234567-001"), ("０２０１２３４５６７", "0201234567"),
                                           ("031090001234", "031090001234")])
def test_tax_codes(typed, stored):
    assert identity.tax_code(typed) == stored


@pytest.mark.parametrize("typed", ["020123456", "0000000000", "02012345670011", "abc"])
def test_a_wrong_tax_code_is_refused(typed):
    with pytest.raises(InvalidNumber):
        identity.tax_code(typed)


@pytest.mark.parametrize("typed", ["12345", "0412345678", "+1 202 555 0100", "0912 345 67", "091234567890"])
def test_a_wrong_phone_is_refused(typed):
    with pytest.raises(InvalidNumber):
        identity.phone(typed)


# --- through every form -------------------------------------------------------------------------------

LAND_FORM = {
    "procedure_code": "1.013978", "applicant_name": "Trần Thị Bình", "applicant_email": "",
    "applicant_address": "5 Lạch Tray, Ngô Quyền, Hải Phòng",
    "documents": ["application", "land_papers", "cadastral_extract", "fee_declaration"],
    "detail_parcel_number": "12", "detail_map_sheet": "3", "detail_area": "100", "delivery_method": "desk",
}


def test_desk_intake_stores_the_one_form(client, login_as, db):
    login_as("hb.clerk")
    response = client.post("/desk/new", data={**LAND_FORM, "applicant_id_number": "０３１ １９０ ００４ ３２１\n",
                                              "applicant_phone": "+84 987 654 321"})
    assert response.status_code == 302
    dossier = db.session.scalar(select(Dossier))
    assert (dossier.applicant_id_number, dossier.applicant_phone) == ("031190004321", "0987654321")


@pytest.mark.parametrize("typed, message", [("000000000000", "không thể toàn chữ số 0"),
                                            ("999190004321", "Ba chữ số đầu (999)")])
def test_desk_intake_refuses_a_wrong_id_with_the_reason_and_saves_nothing(client, login_as, db, typed, message):
    login_as("hb.clerk")
    response = client.post("/desk/new", data={**LAND_FORM, "applicant_id_number": typed,
                                              "applicant_phone": "0987654321"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(Dossier)) is None


def test_the_pre_fill_accepts_and_normalises(client, login_as, create_dossier):
    create_dossier()  # APPLICANT: 031090001234
    login_as("hb.clerk")
    for typed in ("031090001234", "０３１０９０００１２３４", "031 090 001 234", "٠٣١٠٩٠٠٠١٢٣٤"):
        response = client.get(f"/desk/api/citizens/{typed}", headers={"Accept": "application/json"})
        assert response.status_code == 200, typed
        assert response.json["id_number"] == "031090001234" and response.json["name"] == "Nguyễn Văn An"
    response = client.get("/desk/api/citizens/000000000000", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "toàn chữ số 0" in response.json["error"]["message"]


def test_the_look_up_takes_the_four_digits_in_any_script(client, create_dossier):
    dossier = create_dossier()
    for tail in ("1234", "１２３４", "١٢٣٤", "12 34"):
        response = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": tail})
        assert response.status_code == 200, tail


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_shared_application_form_normalises_any_digits(app, data):
    """Desk intake and online filing share one form class: any digits typed come out ASCII."""
    from werkzeug.datastructures import MultiDict

    from onestop.dossiers.forms import ApplicationForm
    from onestop.workflows.engine import engine

    id_number = written(VALID_ID, lambda v: data.draw(st.sampled_from(DIGITS[v])), lambda: data.draw(SEPARATORS))
    phone = "+84 " + written("987654321", lambda v: data.draw(st.sampled_from(DIGITS[v])), lambda: data.draw(SEPARATORS))
    with app.test_request_context(method="POST"):
        procedures = {p.code: p for p in engine().procedures()}
        form = ApplicationForm(procedures, formdata=MultiDict({
            "procedure_code": "2.000815", "applicant_name": "A", "applicant_id_number": id_number,
            "applicant_phone": phone, "applicant_address": "B", "delivery_method": "desk"}), meta={"csrf": False})
        assert form.validate(), form.errors
        assert (form.applicant.id_number, form.applicant.phone) == (VALID_ID, "0987654321")
