"""Every new form and its fields, fed NUL and control characters, Unicode digits, huge numbers, malformed
dates and formulas: never a 500, and nothing half-written (a refused request leaves no row)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from onestop.dossiers.models import Dossier, DossierEvent
from onestop.fees.models import FeePayment
from onestop.ratings.models import Rating
from onestop.supplements.models import SupplementRound

NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["\x00", "12\x00", "\x1b[31m", "=HYPERLINK(\"http://x\")", "9" * 400, "-1", "1e309", "NaN",
                     "0001-01-01", "9999-12-31", "31/02/2026", " ", "０３１０９０００１２３４", "٣", "+84", "--", "💥"]),
)
INTAKE_FIELDS = ("applicant_kind", "applicant_id_number", "applicant_tax_code", "applicant_representative",
                 "applicant_phone", "on_behalf", "submitter_name", "submitter_id_number", "submitter_phone",
                 "channel", "intake_waybill", "posted_on", "fee_pages", "fee_copies", "payment_method",
                 "payment_reference", "detail_parcel_number", "detail_map_sheet", "detail_area",
                 "detail_child_birth_date", "detail_child_sex")
BASE = {"procedure_code": "1.013978", "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
        "applicant_phone": "0987654321", "applicant_address": "HP", "delivery_method": "desk",
        "documents": ["application", "land_papers", "cadastral_extract", "fee_declaration"],
        "detail_parcel_number": "1", "detail_map_sheet": "2", "detail_area": "3"}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _rows(db) -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in
                 (Dossier, DossierEvent, FeePayment, Rating, SupplementRound))


@SETTINGS
@given(field=st.sampled_from(INTAKE_FIELDS), value=NASTY, procedure=st.sampled_from(["1.013978", "2.000815",
                                                                                     "1.001193", "9.9"]))
def test_the_intake_form_never_answers_500(client, login_as, db, field, value, procedure):
    login_as("hbmk.clerk")
    before = _rows(db)
    response = client.post("/desk/new", data={**BASE, "procedure_code": procedure, field: value})
    assert response.status_code in (200, 302, 422), response.status_code
    if response.status_code != 302:
        assert _rows(db) == before


@SETTINGS
@given(path=st.sampled_from(["/desk/api/fees/2.000815?pages={v}&copies={v}", "/desk/api/citizens/{v}",
                             "/xac-minh/{v}", "/reports/fees?p={v}", "/reports/satisfaction?p={v}"]),
       value=NASTY)
def test_the_new_addresses_never_answer_500(client, login_as, path, value):
    from urllib.parse import quote
    login_as("hp.supervisor" if path.startswith("/reports") else "hbmk.clerk")
    response = client.get(path.format(v=quote(value, safe="")))
    assert response.status_code < 500, (path, value, response.status_code)


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["code", "id_tail", "satisfied", "reasons", "comment"]), NASTY,
                            max_size=5))
def test_the_public_rating_never_answers_500(client, db, data):
    before = _rows(db)
    response = client.post("/tra-cuu/danh-gia", data=data)
    assert response.status_code in (200, 404, 422, 429), response.status_code
    assert _rows(db) == before


@pytest.fixture
def refused(db, create_dossier, user):
    from onestop.dossiers.operations import perform_action
    dossier = create_dossier(clerk="hbmk.clerk", procedure="2.000815")
    perform_action(dossier, user("hbmk.clerk"), "refuse", note="Không hợp lệ")
    db.session.commit()
    return dossier


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["refund_method", "refund_reference", "refund_reason", "payment_method",
                                             "payment_reference", "missing", "note", "came", "satisfied"]), NASTY,
                            max_size=6))
def test_the_dossier_page_forms_never_answer_500(client, login_as, db, refused, data):
    login_as("hbmk.clerk")
    payment = db.session.scalar(select(FeePayment))
    for url in (f"/dossiers/{refused.id}/fees/{payment.id}/refund", f"/dossiers/{refused.id}/fees/collect",
                f"/dossiers/{refused.id}/supplement/request", f"/dossiers/{refused.id}/supplement/receive",
                f"/desk/dossiers/{refused.id}/danh-gia"):
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, data, response.status_code)
    db.session.rollback()
