"""The reception desk through the test client: intake, validation, receipt."""
import pytest
from sqlalchemy import func, select

from onestop.core import clock
from onestop.dossiers.models import Dossier
from tests.conftest import LAND, vn

VALID = {
    "procedure_code": LAND,
    "applicant_name": "Trần Thị Bình",
    "applicant_id_number": "031190004321",
    "applicant_phone": "0987654321",
    "applicant_email": "",
    "applicant_address": "5 Lạch Tray, Ngô Quyền, Hải Phòng",
    "documents": ["application", "land_papers", "cadastral_extract", "fee_declaration"],
    "detail_parcel_number": "125",
    "detail_map_sheet": "14",
    "detail_area": "86,5",
    "delivery_method": "desk",
    "note": "",
}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Dossier))


def test_clerk_logs_a_dossier_and_gets_the_receipt(client, login_as, db):
    login_as("hb.clerk")
    with clock.frozen(vn(2026, 12, 7, 9, 0)):
        response = client.post("/desk/new", data=VALID)
        assert response.status_code == 302
        receipt = client.get(response.headers["Location"])
    page = receipt.get_data(as_text=True)
    dossier = db.session.scalar(select(Dossier))
    assert dossier.code.startswith("HB-261207-")
    assert dossier.code in page and "Trần Thị Bình" in page
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page
    assert dossier.due_at.astimezone(vn(2026, 1, 1).tzinfo) and "14/01/2027" in page


@pytest.mark.parametrize("field, value, message", [
    ("applicant_name", "", "Nhập họ và tên."),
    ("applicant_id_number", "03119000432", "Số định danh cá nhân gồm đúng 12 chữ số."),
    ("applicant_id_number", "03119000432a", "Số định danh cá nhân gồm đúng 12 chữ số."),
    ("applicant_phone", "12345", "Số điện thoại không hợp lệ"),
    ("applicant_email", "not-an-email", "Địa chỉ thư điện tử không hợp lệ."),
    ("procedure_code", "9.999999", "Thủ tục không có trong danh mục."),
    ("procedure_code", "", "Chọn thủ tục."),
    ("documents", ["application"], "Còn thiếu giấy tờ bắt buộc"),
    ("documents", ["application", "land_papers", "cadastral_extract", "fee_declaration", "bogus"],
     "Có giấy tờ không thuộc thủ tục"),
    ("delivery_method", "drone", "Hình thức nhận kết quả không hợp lệ."),
])
def test_invalid_intake_shows_field_error_and_saves_nothing(client, login_as, db, field, value, message):
    login_as("hb.clerk")
    response = client.post("/desk/new", data={**VALID, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Trần Thị Bình"' in page or field == "applicant_name"  # what was typed is kept
    assert _count(db) == 0


def test_intake_is_for_desk_clerks_only(client, login_as, db):
    login_as("stnmt.officer")
    assert client.get("/desk/new").status_code == 404
    assert client.post("/desk/new", data=VALID).status_code == 404
    assert _count(db) == 0


def test_intake_requires_login(client):
    response = client.get("/desk/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_desk_queue_lists_what_the_desk_holds(client, login_as, create_dossier):
    mine = create_dossier()
    other = create_dossier(clerk="lc.clerk")
    login_as("hb.clerk")
    page = client.get("/desk/").get_data(as_text=True)
    assert mine.code in page and other.code not in page


def _to_result_at_desk(db, create_dossier, user, delivery="desk"):
    from onestop.dossiers.operations import perform_action, route
    dossier = create_dossier(procedure="2.000815", clerk="hbmk.clerk")
    dossier.delivery_method = delivery
    for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
        perform_action(dossier, user(username), action)
        route(dossier.id, dossier.step_seq)
    db.session.commit()
    return dossier


def test_result_returned_at_desk_records_who_collected_it(client, login_as, db, create_dossier, user):
    dossier = _to_result_at_desk(db, create_dossier, user)
    login_as("hbmk.clerk")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Họ tên người nhận kết quả" in page and 'value="return_result"' not in page
    response = client.post(f"/desk/dossiers/{dossier.id}/return", data={"recipient": "Nguyễn Văn Bình"})
    assert response.status_code == 302
    assert dossier.status == "done" and dossier.result_recipient == "Nguyễn Văn Bình"
    assert dossier.events[-1].note == "Người nhận: Nguyễn Văn Bình"


def test_result_by_post_needs_a_waybill(client, login_as, db, create_dossier, user):
    dossier = _to_result_at_desk(db, create_dossier, user, delivery="post")
    login_as("hbmk.clerk")
    client.post(f"/desk/dossiers/{dossier.id}/return", data={"waybill": ""})
    assert dossier.is_open and dossier.post_waybill is None
    response = client.post(f"/desk/dossiers/{dossier.id}/return", data={"waybill": "EB123456789VN"})
    assert response.status_code == 302
    assert dossier.status == "done" and dossier.post_waybill == "EB123456789VN"


def test_return_cannot_bypass_the_recipient_through_the_generic_action(client, login_as, db, create_dossier, user):
    dossier = _to_result_at_desk(db, create_dossier, user)
    login_as("hbmk.clerk")
    response = client.post(f"/dossiers/{dossier.id}/action", data={"action": "return_result"})
    assert response.status_code == 422 and dossier.is_open


def test_returning_citizen_lookup_prefills_from_latest_dossier(client, login_as, db, create_dossier):
    create_dossier()
    login_as("hb.clerk")
    response = client.get("/desk/api/citizens/031090001234")
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Nguyễn Văn An" and body["phone"] == "0912345678"
    assert body["address"].startswith("12 Minh Khai")
    assert client.get("/desk/api/citizens/031090009999").status_code == 404
    bad = client.get("/desk/api/citizens/0310900")
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("Số định danh")


def test_a_clerk_reads_only_the_citizens_of_their_own_scope(client, login_as, create_dossier):
    """A clerk of another district does not read what Hồng Bàng recorded about a citizen."""
    create_dossier()
    login_as("lc.clerk")
    assert client.get("/desk/api/citizens/031090001234").status_code == 404


def test_citizen_lookup_is_for_clerks(client, login_as, create_dossier):
    create_dossier()
    login_as("hb.officer")
    assert client.get("/desk/api/citizens/031090001234").status_code == 404


def test_intake_page_offers_search_and_id_first(client, login_as):
    login_as("hb.clerk")
    page = client.get("/desk/new").get_data(as_text=True)
    assert 'id="procedure-search"' in page and "autofocus" in page
    assert page.index('id="applicant_id_number"') < page.index('id="applicant_name"')
    assert "optgroup" in page  # procedures grouped by field
