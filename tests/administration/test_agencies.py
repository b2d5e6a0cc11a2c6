"""The agency tree in the browser: create, edit, move, close; a change that strands a running dossier is refused."""
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core.audit import AuditEntry
from onestop.workflows.holders import resolve_holder
from tests.factories import agency_named, new_user


def _edit(agency_row, **changes):
    data = {"code": agency_row.code, "name": agency_row.name, "level": agency_row.level,
            "parent_id": str(agency_row.parent_id or ""), "sectors": sorted(agency_row.sector_set)}
    if agency_row.has_desk:
        data["has_desk"] = "y"
    data.update(changes)
    return data


def test_an_admin_creates_an_agency_under_a_parent(db, client, login_as):
    login_as("admin")
    answer = client.post("/admin/agencies/new", data={"code": "HBTL", "name": "Phường Thượng Lý", "level": "ward",
                                                      "parent_id": str(agency_named("HB").id), "sectors": ["civil_status"],
                                                      "has_desk": "y"})
    assert answer.status_code == 302
    created = agency_named("HBTL")
    assert created.path == agency_named("HB").path + f"{created.id}/" and created.has_desk and created.sectors == "civil_status"
    assert db.session.scalar(select(AuditEntry.after).where(AuditEntry.kind == "agency.create"))["code"] == "HBTL"
    assert 'data-code="HBTL"' in client.get("/admin/agencies/").get_data(as_text=True)


def test_bad_agency_details_get_field_errors(db, client, login_as):
    login_as("admin")
    for data, message in [({"code": "HB"}, "đã được dùng"), ({"code": "hb-x"}, "chữ in hoa"),
                          ({"level": "galaxy"}, "Cấp không hợp lệ"), ({"sectors": ["magic"]}, "không có trong danh mục"),
                          ({"parent_id": "987654"}, "Chọn đơn vị cấp trên"), ({"name": "\x00\x1b "}, "Nhập tên đơn vị")]:
        form = {"code": "NEWX", "name": "Đơn vị mới", "level": "ward", "parent_id": str(agency_named("HB").id), **data}
        answer = client.post("/admin/agencies/new", data=form)
        assert answer.status_code == 422 and message in answer.get_data(as_text=True), data
    assert agency_named("NEWX") is None


def test_moving_a_ward_moves_its_subtree_and_the_holders_follow(db, client, login_as):
    login_as("admin")
    ward, other_district = agency_named("HBMK"), agency_named("NQ")
    answer = client.post(f"/admin/agencies/{ward.id}", data=_edit(ward, parent_id=str(other_district.id)))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.expire_all()
    ward = agency_named("HBMK")
    assert ward.parent_id == other_district.id and ward.path == other_district.path + f"{ward.id}/"
    assert resolve_holder("level:district", ward).code == "NQ"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "agency.update"))
    assert entry.before["parent"] == "HB" and entry.after["parent"] == "NQ"


def test_an_agency_cannot_move_under_itself(db, client, login_as):
    login_as("admin")
    district, ward = agency_named("HB"), agency_named("HBMK")
    answer = client.post(f"/admin/agencies/{district.id}", data=_edit(district, parent_id=str(ward.id)))
    assert answer.status_code == 422
    assert agency_named("HB").parent_id != ward.id


def test_a_change_that_strands_a_running_dossier_is_refused_with_the_reason(db, client, login_as, create_dossier):
    dossier = create_dossier()  # a land certificate: a step is held by "sector:land@department" (STNMT)
    login_as("admin")
    department = agency_named("STNMT")
    answer = client.post(f"/admin/agencies/{department.id}", data=_edit(department, sectors=["environment"]))
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert dossier.code in page and "không có nơi xử lý" in page
    db.session.expire_all()
    assert "land" in agency_named("STNMT").sector_set  # nothing changed


def test_closing_an_agency_that_holds_work_or_staff_is_refused(db, client, login_as, create_dossier):
    create_dossier()
    login_as("admin")
    answer = client.post(f"/admin/agencies/{agency_named('HB').id}/deactivate", follow_redirects=True)
    assert "đang hoạt động" in answer.get_data(as_text=True) and agency_named("HB").active
    ward = agency_named("HBMK")
    answer = client.post(f"/admin/agencies/{ward.id}/deactivate", follow_redirects=True)
    assert "cán bộ đang hoạt động" in answer.get_data(as_text=True) and agency_named("HBMK").active


def test_a_closed_agency_is_no_holder_and_comes_back(db, client, login_as):
    login_as("admin")
    lone = Agency(code="TMP1", name="Đơn vị tạm", level="ward", parent=agency_named("HB"), sectors="")
    db.session.add(lone)
    db.session.flush()
    lone.path = agency_named("HB").path + f"{lone.id}/"
    db.session.flush()
    assert client.post(f"/admin/agencies/{lone.id}/deactivate").status_code == 302
    assert not agency_named("TMP1").active
    assert db.session.scalar(select(AuditEntry.kind).where(AuditEntry.kind == "agency.deactivate"))
    assert client.post(f"/admin/agencies/{lone.id}/activate").status_code == 302
    assert agency_named("TMP1").active


def test_only_admins_open_the_agency_pages(db, client, login_as):
    for username in ("hp.supervisor", "hb.officer", "hb.clerk"):
        login_as(username)
        assert client.get("/admin/agencies/").status_code == 404
        assert client.post(f"/admin/agencies/{agency_named('HB').id}/deactivate").status_code == 404
    login_as("admin")
    assert client.get("/admin/agencies/999999").status_code == 404
    assert client.get("/admin/agencies/").status_code == 200


def test_staff_cannot_be_put_in_a_closed_agency(db, client, login_as):
    login_as("admin")
    closed = Agency(code="TMP2", name="Đơn vị đã đóng", level="ward", parent=agency_named("HB"), sectors="", active=False)
    db.session.add(closed)
    db.session.flush()
    officer = new_user("someone.here")
    answer = client.post(f"/admin/staff/{officer.id}", data={"username": "someone.here", "full_name": "Người",
                                                             "role": "officer", "agency_id": str(closed.id)})
    assert answer.status_code == 422 and "ngừng hoạt động" in answer.get_data(as_text=True)
