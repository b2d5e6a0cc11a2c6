"""At the desk: an organisation as applicant, a submitter on behalf with the authorisation in the
checklist, the procedure's own data, a dossier received by public post; each on the dossier page,
the slips, the look-up, the statistics and the ledger as the issue asks."""
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from onestop.core import clock
from onestop.dossiers.details import details_match
from onestop.dossiers.models import Channel, Dossier
from tests.conftest import vn

LAND = "1.013978"
BUSINESS = "1.001612"
COPY = "2.000815"
LAND_FORM = {"procedure_code": LAND, "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
             "applicant_phone": "0987654321", "applicant_address": "5 Lạch Tray, Ngô Quyền",
             "documents": ["application", "land_papers", "cadastral_extract", "fee_declaration"],
             "detail_parcel_number": "125", "detail_map_sheet": "14", "detail_area": "86,5", "delivery_method": "desk"}
SUBMITTER = {"on_behalf": "y", "submitter_name": "Lê Văn Cường", "submitter_id_number": "031085007421",
             "submitter_phone": "0912 000 111"}


def _only(db) -> Dossier:
    return db.session.scalar(select(Dossier))


def _intake(client, data, clerk="hb.clerk"):
    return client.post("/desk/new", data=data)


# --- organisations and submitters ------------------------------------------------------------------

def test_an_organisation_files_through_someone_authorised(client, login_as, db):
    login_as("hb.clerk")
    data = {**LAND_FORM, "applicant_kind": "organisation", "applicant_name": "Công ty TNHH Cảng Xanh",
            "applicant_id_number": "", "applicant_tax_code": "0201234567", "applicant_representative": "Phạm Văn Dũng",
            **SUBMITTER, "documents": LAND_FORM["documents"] + ["submitter_authorisation"]}
    assert _intake(client, data).status_code == 302
    dossier = _only(db)
    assert (dossier.applicant_kind, dossier.applicant_id_number, dossier.applicant_tax_code,
            dossier.applicant_representative) == ("organisation", None, "0201234567", "Phạm Văn Dũng")
    assert (dossier.submitter_name, dossier.submitter_id_number, dossier.submitter_phone) == (
        "Lê Văn Cường", "031085007421", "0912000111")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "MST 0201234567" in page and "Lê Văn Cường" in page and 'data-testid="submitter"' in page
    for number in ("01", "06"):
        slip = client.get(f"/dossiers/{dossier.id}/slips/{number}").get_data(as_text=True)
        assert "0201234567" in slip and "Lê Văn Cường" in slip and "031085007421" in slip, number
    receipt = client.get(f"/desk/dossiers/{dossier.id}/receipt").get_data(as_text=True)
    assert "Người đại diện theo pháp luật: Phạm Văn Dũng" in receipt and "(theo văn bản ủy quyền)" in receipt


@pytest.mark.parametrize("change, message", [
    ({"applicant_kind": "organisation", "applicant_tax_code": "", "applicant_representative": "A"},
     "Nhập mã số thuế của tổ chức."),
    ({"applicant_kind": "organisation", "applicant_tax_code": "0201234567"}, "Nhập họ tên người đại diện"),
    ({"applicant_kind": "organisation", "applicant_tax_code": "12", "applicant_representative": "A"},
     "Mã số thuế gồm 10 chữ số"),
    ({"applicant_kind": "club"}, "Chọn cá nhân hoặc tổ chức."),
    ({"on_behalf": "y"}, "Nhập họ và tên người nộp thay."),
    ({**SUBMITTER, "submitter_id_number": "000000000000"}, "không thể toàn chữ số 0"),
    ({**SUBMITTER, "submitter_phone": "12"}, "Số điện thoại không hợp lệ"),
    (SUBMITTER, "Còn thiếu giấy tờ bắt buộc: Văn bản ủy quyền"),  # the authorisation not ticked
])
def test_a_wrong_applicant_or_submitter_is_a_field_error_and_nothing_is_saved(client, login_as, db, change, message):
    login_as("hb.clerk")
    response = _intake(client, {**LAND_FORM, **change})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _only(db) is None


def test_a_procedure_without_an_authorisation_takes_no_filing_on_behalf(client, login_as, db):
    login_as("hbmk.clerk")
    response = _intake(client, {"procedure_code": COPY, "applicant_name": "A", "applicant_id_number": "031190004321",
                                "applicant_phone": "0987654321", "applicant_address": "B", "documents": ["original", "copy"],
                                "fee_pages": "1", "delivery_method": "desk", "payment_method": "cash", **SUBMITTER})
    assert response.status_code == 422 and "không nhận hồ sơ nộp thay" in response.get_data(as_text=True)
    assert _only(db) is None


def test_the_authorisation_is_required_to_forward_a_dossier_filed_on_behalf(db, user):
    from onestop.core.errors import OperationError
    from onestop.dossiers.applicant import Submitter
    from onestop.dossiers.operations import perform_action, receive_dossier
    from tests.conftest import APPLICANT, LAND_DOCS

    applicant = APPLICANT.__class__(**{**APPLICANT.__dict__, "submitter": Submitter("Lê Văn Cường", "031085007421")})
    dossier = receive_dossier(user("hb.clerk"), procedure_code=LAND, applicant=applicant, documents=LAND_DOCS)
    with pytest.raises(OperationError, match="Văn bản ủy quyền cho người nộp hồ sơ"):
        perform_action(dossier, user("hb.clerk"), "forward")
    perform_action(dossier, user("hb.clerk"), "forward", documents=[*LAND_DOCS, "submitter_authorisation"])
    assert dossier.step == "district_check"


def test_the_look_up_opens_with_the_digits_the_procedure_says(client, db, user):
    from onestop.dossiers.applicant import Applicant, Submitter
    from onestop.dossiers.operations import receive_dossier

    submitter = Submitter("Lê Văn Cường", "031085007421")
    person = Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321", address="HP",
                       submitter=submitter)
    company = Applicant(name="Công ty Cảng Xanh", id_number=None, phone="0987654321", address="HP",
                        kind="organisation", tax_code="0201234567-001", representative="Phạm Văn Dũng")
    land = receive_dossier(user("hb.clerk"), procedure_code=LAND, applicant=person, documents=[])
    record = receive_dossier(user("stp.clerk"), procedure_code="3.000333", applicant=person, documents=[])
    firm = receive_dossier(user("hb.clerk"), procedure_code=LAND, applicant=company, documents=[])
    db.session.commit()

    def opens(dossier, tail):
        return client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": tail}).status_code == 200

    assert opens(land, "4321") and opens(land, "7421")  # either, the default
    assert opens(record, "4321") and not opens(record, "7421")  # the judicial record: the applicant's only
    assert opens(firm, "7001") and not opens(firm, "4567")  # an organisation: its tax code's last digits


# --- the procedure's own data ------------------------------------------------------------------------

def test_the_procedures_own_data_is_recorded_shown_printed_and_searched(client, login_as, db):
    login_as("hb.clerk")
    assert _intake(client, LAND_FORM).status_code == 302
    dossier = _only(db)
    assert dossier.details == {"parcel_number": "125", "map_sheet": "14", "area": 86.5}
    assert dossier.details_text == "thua dat so: 125 | to ban do so: 14 | dien tich: 86,5 m²"
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="details"' in page and "Thửa đất số" in page and "86,5 m²" in page
    for number in ("01", "06"):
        slip = client.get(f"/dossiers/{dossier.id}/slips/{number}").get_data(as_text=True)
        assert "Thửa đất số" in slip and "86,5 m²" in slip, number
    assert db.session.scalar(select(Dossier.id).where(details_match("Thửa 125"))) == dossier.id
    assert db.session.scalar(select(Dossier.id).where(details_match("thua 126"))) is None


@pytest.mark.parametrize("change, message", [
    ({"detail_parcel_number": ""}, "Nhập thửa đất số."),
    ({"detail_area": "abc"}, "Nhập một số."),
    ({"detail_area": "0"}, "Không nhỏ hơn 0,1"),
    ({"detail_area": "1e999999"}, "Nhập một số."),
    ({"detail_map_sheet": "x" * 21}, "Tối đa 20 ký tự."),
])
def test_wrong_own_data_is_a_field_error_and_nothing_is_saved(client, login_as, db, change, message):
    login_as("hb.clerk")
    response = _intake(client, {**LAND_FORM, **change})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert 'value="Trần Thị Bình"' in response.get_data(as_text=True)  # what was typed is kept
    assert _only(db) is None


def test_a_birth_registration_records_the_child(client, login_as, db):
    login_as("hbmk.clerk")
    with clock.frozen(vn(2026, 12, 7, 9)):
        response = _intake(client, {
            "procedure_code": "1.001193", "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
            "applicant_phone": "0987654321", "applicant_address": "HP", "documents": ["declaration", "birth_notice"],
            "delivery_method": "desk", "detail_child_name": "Trần Minh Khang", "detail_child_sex": "Nam",
            "detail_child_birth_date": "02/12/2026", "detail_child_birth_place": "Bệnh viện Phụ sản Hải Phòng"})
        assert response.status_code == 302
        refused = _intake(client, {"procedure_code": "1.001193", "detail_child_birth_date": "08/12/2026"})
        assert "Không sau ngày 07/12/2026" in refused.get_data(as_text=True)
    assert _only(db).details["child_birth_date"] == "2026-12-02"


# --- postal intake -------------------------------------------------------------------------------------

POST = {**LAND_FORM, "channel": "post", "intake_waybill": "eb123456789vn", "posted_on": "2026-12-04"}


def test_a_dossier_received_by_post_is_counted_apart(client, login_as, db):
    login_as("hb.clerk")
    with clock.frozen(vn(2026, 12, 7, 9)):
        assert _intake(client, POST).status_code == 302
        assert _intake(client, {**LAND_FORM, "applicant_name": "Ở quầy"}).status_code == 302
    by_post = db.session.scalar(select(Dossier).where(Dossier.channel == Channel.POST))
    assert (by_post.intake_waybill, by_post.posted_on) == ("EB123456789VN", date(2026, 12, 4))
    assert "vận đơn EB123456789VN" in client.get(f"/dossiers/{by_post.id}").get_data(as_text=True)
    login_as("hp.supervisor")
    page = client.get("/reports/statistics?p=2026-12").get_data(as_text=True)
    row = page[page.index('data-agency="total"'):]
    assert 'data-cat="new_post"><a href' in row and 'data-cat="new_desk"><a href' in row
    listing = client.get("/reports/statistics/dossiers?p=2026-12&category=new_post").get_data(as_text=True)
    assert by_post.code in listing and "Ở quầy" not in listing
    login_as("hb.clerk")
    xlsx = client.get("/ledger?start=2026-12-07&end=2026-12-07")
    rows = list(load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert any(r[1] == by_post.code and r[9] == "Bưu chính — vận đơn EB123456789VN, gửi ngày 04/12/2026" for r in rows)
    assert any(r[2] == "Ở quầy" and r[9] == "Trực tiếp" for r in rows)


@pytest.mark.parametrize("change, message", [
    ({"intake_waybill": ""}, "Nhập số vận đơn của bưu gửi."),
    ({"intake_waybill": "AB"}, "Số vận đơn gồm 6–40"),
    ({"posted_on": ""}, "Nhập ngày bưu điện nhận gửi."),
    ({"posted_on": "2026-12-08"}, "không thể sau hôm nay"),
    ({"posted_on": "2020-01-01"}, "quá xa"),
    ({"posted_on": "31/02/2026"}, "Ngày không hợp lệ"),
    ({"channel": "pigeon"}, "Hình thức nộp hồ sơ không hợp lệ."),
])
def test_a_wrong_postal_intake_is_a_field_error_and_nothing_is_saved(client, login_as, db, change, message):
    login_as("hb.clerk")
    with clock.frozen(vn(2026, 12, 7, 9)):
        response = _intake(client, {**POST, **change})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _only(db) is None


def test_the_intake_page_opens_on_the_postal_channel(client, login_as):
    login_as("hb.clerk")
    import re
    page = client.get("/desk/new?channel=post").get_data(as_text=True)
    (post,) = re.findall(r'<input[^>]*name="channel"[^>]*value="post"[^>]*>', page)
    assert "checked" in post
