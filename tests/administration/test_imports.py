"""Bulk onboarding: a dry run lists every row's errors, apply writes all or nothing, a re-run changes nothing."""
import csv
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from onestop.auth.models import Role, User
from onestop.core.audit import AuditEntry
from tests.factories import agency_named, by_username

HEADER = ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Điện thoại", "Vai trò", "Mã đơn vị", "Đang hoạt động"]


def _xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _check(client, data: bytes, name="can-bo.xlsx", kind="staff"):
    return client.post("/admin/imports/check", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _apply(client, page: str, kind="staff"):
    rows = re.search(r'name="rows" value="([^"]*)"', page).group(1)
    import html

    return client.post("/admin/imports/apply", data={"kind": kind, "rows": html.unescape(rows)})


GOOD = [["tran.van.mot", "Trần Văn Một", "mot@example.vn", "0901000001", "Chuyên viên", "HB", "có"],
        ["le.thi.hai", "Lê Thị Hai", "", "", "clerk", "HBMK", ""]]


def test_dry_run_lists_every_error_of_every_row_and_writes_nothing(db, client, login_as):
    login_as("admin")
    before = db.session.scalar(select(func.count()).select_from(User))
    rows = [GOOD[0],
            ["hb.clerk", "Trùng tên", "x@example.vn", "", "clerk", "HB", ""],
            ["moi.mot", "Người mới", "khong-phai-email", "", "giam doc", "XYZ", ""],
            ["tran.van.mot", "Trùng trong tệp", "", "", "officer", "HB", ""]]
    answer = _check(client, _xlsx(rows))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'data-line="3"[^>]*>(?:(?!</tr>).)*Cập nhật', page, re.S)  # an existing login: an update
    assert "Không có đơn vị mã XYZ" in page and "Vai trò không hợp lệ" in page and "thư điện tử không hợp lệ" in page
    assert "trùng với dòng 2" in page  # duplicate within the file
    assert 'data-testid="apply-form"' not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_apply_creates_the_accounts_and_a_rerun_changes_nothing(db, client, login_as):
    login_as("admin")
    page = _check(client, _xlsx(GOOD)).get_data(as_text=True)
    assert "Tạo mới: 2" in page
    done = _apply(client, page)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert 'data-testid="created-accounts"' in done.get_data(as_text=True)
    one, two = by_username("tran.van.mot"), by_username("le.thi.hai")
    assert one.role == Role.OFFICER and one.agency.code == "HB" and one.must_change_password
    assert two.role == Role.CLERK and two.agency.code == "HBMK"
    audit_count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    again = _check(client, _xlsx(GOOD)).get_data(as_text=True)
    assert "Tạo mới: 0" in again and "Cập nhật: 0" in again and "Không đổi: 2" in again
    _apply(client, again)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_count  # nothing written
    changed = [GOOD[0][:4] + ["supervisor", "HB", "không"], GOOD[1]]
    page = _check(client, _xlsx(changed)).get_data(as_text=True)
    assert "Cập nhật: 1" in page
    _apply(client, page)
    db.session.refresh(one)
    assert one.role == Role.SUPERVISOR and not one.active


def test_csv_in_the_export_format_round_trips(db, client, login_as):
    login_as("admin")
    exported = client.get("/admin/imports/export/staff.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER and any(r[0] == "hb.clerk" for r in rows)
    page = _check(client, exported.get_data(), name="can-bo.csv").get_data(as_text=True)
    assert "Tạo mới: 0 · Cập nhật: 0" in page


def test_exports_neutralise_formulas_and_control_characters(db, client, login_as):
    login_as("admin")
    user = by_username("hb.officer")
    user.full_name = '=HYPERLINK("http://evil.example","x")\x1b'
    db.session.flush()
    book = load_workbook(io.BytesIO(client.get("/admin/imports/export/staff.xlsx").get_data()))
    names = [row[1] for row in book.active.iter_rows(values_only=True)]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names
    assert all(not str(n).startswith("=") for n in names)


def test_agencies_import_parents_first_and_rerun_is_idempotent(db, client, login_as):
    login_as("admin")
    header = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Lĩnh vực", "Có bộ phận một cửa", "Đang hoạt động"]
    rows = [["KAPW1", "Phường Mới 1", "ward", "KAD", "civil_status", "có", ""],
            ["KAD", "Quận Mới", "district", "HP", "general,land", "có", "có"]]
    page = _check(client, _xlsx(rows, header), kind="agencies").get_data(as_text=True)
    assert "Tạo mới: 2" in page
    assert _apply(client, page, kind="agencies").status_code == 200
    assert agency_named("KAPW1").parent_id == agency_named("KAD").id and agency_named("KAD").parent_id == agency_named("HP").id
    again = _check(client, _xlsx(rows, header), kind="agencies").get_data(as_text=True)
    assert "Không đổi: 2" in again
    bad = _check(client, _xlsx([["X1", "", "planet", "NOPE", "magic", "maybe", ""]], header), kind="agencies")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in ("Nhập tên đơn vị", "Cấp không hợp lệ", "Không có đơn vị cấp trên mã NOPE", "magic", "ghi có hoặc không"):
        assert message in text, message


def test_unreadable_files_are_answered_not_crashed(db, client, login_as):
    login_as("admin")
    for data, name, message in [(b"\x00\x01garbage", "x.xlsx", "Không đọc được tệp XLSX"),
                                (b"\xff\xfe\x00bad", "x.csv", "UTF-8"), (b"a,b\n", "x.txt", ".xlsx hoặc .csv"),
                                (b"a,b\n1,2\n", "x.csv", "Thiếu cột"), (b"", "x.csv", "tiêu đề")]:
        answer = _check(client, data, name=name)
        assert answer.status_code == 422 and message in answer.get_data(as_text=True), name
    assert client.post("/admin/imports/apply", data={"kind": "staff", "rows": "{not json"}).status_code == 422


def test_only_admins_import(db, client, login_as):
    login_as("hp.supervisor")
    assert client.get("/admin/imports/").status_code == 404
    assert client.get("/admin/imports/export/staff.csv").status_code == 404
    assert _check(client, _xlsx(GOOD)).status_code == 404
