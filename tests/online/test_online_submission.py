"""Online submission: what a citizen may file where, field errors, files, nothing saved on error, throttle."""
import re
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.core import throttle
from onestop.online.models import ApplicationStatus, OnlineApplication, OnlineApplicationFile

BIRTH = "1.001193"
COPY = "2.000815"  # service level 2: desk only
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def desk_id(db, code: str = "HBMK") -> int:
    return db.session.scalar(select(Agency.id).where(Agency.code == code))


def form(db, **changes) -> dict:
    data = {"procedure_code": BIRTH, "desk_id": str(desk_id(db)), "applicant_name": "Trần Thị Bình",
            "applicant_id_number": "031190004321", "applicant_phone": "0987654321",
            "applicant_email": "binh@example.vn", "applicant_address": "5 Lê Lợi, Máy Tơ, Ngô Quyền",
            "delivery_method": "desk",
            "detail_child_name": "Trần Minh Khang", "detail_child_sex": "Nam", "detail_child_birth_date": "02/11/2026",
            "detail_child_birth_place": "Bệnh viện Phụ sản Hải Phòng",
            "file_declaration": (BytesIO(PDF), "To khai khai sinh.pdf"),
            "file_birth_notice": (BytesIO(PDF), "Giay chung sinh.pdf")}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, data: dict):
    return client.post("/nop-truc-tuyen/", data=data, content_type="multipart/form-data")


def stored_files(app) -> set[Path]:
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def saved(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(OnlineApplication)),
            db.session.scalar(select(func.count()).select_from(OnlineApplicationFile)))


def test_only_procedures_of_service_level_3_and_4_are_offered_and_the_header_links_the_page(client):
    page = client.get("/nop-truc-tuyen/").get_data(as_text=True)
    assert f'href="/nop-truc-tuyen/?procedure={BIRTH}"' in page and f"procedure={COPY}" not in page
    assert "<h2>Hộ tịch</h2>" in page and "mức độ 4" in page
    assert 'href="/nop-truc-tuyen/"' in client.get("/tra-cuu/").get_data(as_text=True)
    assert 'data-testid="online-procedures"' in client.get(f"/nop-truc-tuyen/?procedure={COPY}").get_data(as_text=True)


def test_the_form_of_a_procedure_offers_only_the_desks_that_can_receive_it(client, db):
    page = client.get(f"/nop-truc-tuyen/?procedure={BIRTH}").get_data(as_text=True)
    assert 'data-testid="online-form"' in page
    assert "Ủy ban nhân dân phường Minh Khai" in page
    assert "Sở Tài nguyên và Môi trường" not in page  # a department's desk does not register births
    for key in ("declaration", "birth_notice", "surrogacy_papers"):
        assert f'name="file_{key}"' in page


def test_a_complete_application_is_recorded_with_its_files(app, client, db):
    before = stored_files(app)
    response = submit(client, form(db))
    assert response.status_code == 302 and response.headers["Location"].endswith("/nop-truc-tuyen/da-nop")
    page = client.get("/nop-truc-tuyen/da-nop").get_data(as_text=True)
    reference = re.search(r'data-testid="online-reference">(TT-\d{6}-[2-9A-Z]{6})<', page).group(1)
    assert "một ngày làm việc" in page and f"/tra-cuu/?code={reference}" in page
    application = db.session.scalar(select(OnlineApplication).where(OnlineApplication.reference == reference))
    assert application.status == ApplicationStatus.SUBMITTED and application.desk_agency.code == "HBMK"
    assert application.documents == ["birth_notice", "declaration"]
    assert sorted(f.filename for f in application.files) == ["Giay chung sinh.pdf", "To khai khai sinh.pdf"]
    assert {f.content_type for f in application.files} == {"application/pdf"}
    assert len(stored_files(app) - before) == 2


@pytest.mark.parametrize("field, value, message", [
    ("applicant_id_number", "03119000432", "Số định danh cá nhân gồm đúng 12 chữ số."),
    ("applicant_phone", "12345", "Số điện thoại không hợp lệ"),
    ("applicant_email", "binh@", "Địa chỉ thư điện tử không hợp lệ."),
    ("applicant_name", "", "Nhập họ và tên."),
    ("applicant_address", "", "Nhập địa chỉ."),
    ("desk_id", "", "Chọn nơi tiếp nhận hồ sơ."),
    ("delivery_method", "drone", "Hình thức nhận kết quả không hợp lệ."),
])
def test_each_bad_field_gets_its_message_and_nothing_is_saved(app, client, db, field, value, message):
    before = stored_files(app)
    response = submit(client, form(db, **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert saved(db) == (0, 0) and stored_files(app) == before


def test_a_desk_that_cannot_receive_the_procedure_is_refused(app, client, db):
    response = submit(client, form(db, desk_id=str(desk_id(db, "STNMT"))))
    assert response.status_code == 422
    assert "Nơi tiếp nhận này không tiếp nhận thủ tục đã chọn." in response.get_data(as_text=True)
    assert saved(db) == (0, 0)


def test_a_procedure_not_offered_online_is_refused(client, db):
    response = submit(client, form(db, procedure_code=COPY))
    assert response.status_code == 422 and saved(db) == (0, 0)


def test_a_program_renamed_to_pdf_is_refused_and_no_file_stays(app, client, db):
    before = stored_files(app)
    response = submit(client, form(db, file_birth_notice=(BytesIO(EXE), "giay-chung-sinh.pdf")))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chỉ nhận tệp PDF" in page
    assert re.search(r'id="file_birth_notice" name="file_birth_notice"[^>]*aria-invalid="true"', page)
    assert saved(db) == (0, 0) and stored_files(app) == before


def test_a_missing_required_document_is_named_and_nothing_is_saved(app, client, db):
    before = stored_files(app)
    response = submit(client, form(db, file_declaration=None))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tải lên tệp của giấy tờ bắt buộc này." in page
    assert saved(db) == (0, 0) and stored_files(app) == before


def test_an_empty_file_is_refused(client, db):
    response = submit(client, form(db, file_declaration=(BytesIO(b""), "trong.pdf")))
    assert response.status_code == 422 and "Tệp rỗng." in response.get_data(as_text=True)


def test_submissions_are_throttled_per_address(app, client, db):
    for _ in range(throttle.MAX_SUBMISSIONS):
        assert submit(client, form(db)).status_code == 302
    before = stored_files(app)
    response = submit(client, form(db))
    assert response.status_code == 429
    assert "quá nhiều hồ sơ" in response.get_data(as_text=True)
    assert saved(db)[0] == throttle.MAX_SUBMISSIONS and stored_files(app) == before
    other = app.test_client()
    assert submit_from(other, form(db), "203.0.113.9").status_code == 302


def submit_from(client, data: dict, address: str):
    return client.post("/nop-truc-tuyen/", data=data, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": address})


def test_the_form_needs_its_csrf_token(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/nop-truc-tuyen/?procedure={BIRTH}").get_data(as_text=True)
        assert submit(client, form(db)).status_code == 400
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert submit(client, form(db, csrf_token=token)).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _reference(client, db) -> str:
    submit(client, form(db))
    return re.search(r"TT-\d{6}-\w{6}", client.get("/nop-truc-tuyen/da-nop").get_data(as_text=True)).group(0)


def test_the_look_up_shows_a_waiting_application(client, db):
    reference = _reference(client, db)
    response = client.post("/tra-cuu/", data={"code": reference.lower(), "id_tail": "4321"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="lookup-result"' in page
    assert "Chờ tiếp nhận" in page and "Ủy ban nhân dân phường Minh Khai" in page
    assert "031190004321" not in page and "0987654321" not in page


@pytest.mark.parametrize("code, tail", [("TT-000000-AAAAAA", "4321"), (None, "1234")])
def test_a_wrong_reference_or_digits_answer_the_same_not_found(client, db, code, tail):
    reference = _reference(client, db)
    response = client.post("/tra-cuu/", data={"code": code or reference, "id_tail": tail})
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ với mã và số định danh đã nhập." in response.get_data(as_text=True)


def test_wrong_references_count_towards_the_look_up_throttle(client, db):
    reference = _reference(client, db)
    for _ in range(throttle.MAX_FAILURES):
        assert client.post("/tra-cuu/", data={"code": reference, "id_tail": "0000"}).status_code == 404
    assert client.post("/tra-cuu/", data={"code": reference, "id_tail": "4321"}).status_code == 429


def test_a_double_submission_files_once_and_keeps_no_file_of_the_second(app, client, db):
    """The second post of one form (a double click) does the work, meets the key of the first at its
    claim, is rolled back and removes the files it had stored."""
    before = stored_files(app)
    first = submit(client, form(db, _once="double-click-1"))
    again = submit(client, form(db, _once="double-click-1"))
    assert first.status_code == 302 and again.status_code in (302, 303)
    assert again.headers["Location"].endswith("/nop-truc-tuyen/da-nop")
    assert saved(db) == (1, 2)
    assert len(stored_files(app) - before) == 2
