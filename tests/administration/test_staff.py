"""Staff administration: admins manage every account, a supervisor their own subtree, nobody else."""
import pytest
from sqlalchemy import func, select

from onestop.auth.models import Role, User
from onestop.core.audit import AuditEntry
from onestop.core.outbox import OutboxMessage
from tests.factories import agency_named, by_username, new_user

NEW = {"username": "nguyen.van.binh", "full_name": "Nguyễn Văn Bình", "email": "binh@hongbang.example",
       "phone": "0912 345 678", "role": "clerk"}


def _form(**changes):
    data = {**NEW, "agency_id": str(agency_named("HB").id)}
    data.update(changes)
    return data


def test_an_admin_creates_a_clerk_with_a_one_time_password(db, client, login_as):
    admin = login_as("admin")
    answer = client.post("/admin/staff/new", data=_form())
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'data-testid="one-time-password"' in page
    assert answer.headers["Cache-Control"] == "no-store"
    user = by_username("nguyen.van.binh")
    assert user.role == Role.CLERK and user.agency.code == "HB" and user.must_change_password
    assert user.phone == "0912345678"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "user.create"))
    assert entry.actor_id == admin.id and entry.target == f"user:{user.id}" and entry.after["username"] == user.username


@pytest.mark.parametrize("changes, message", [
    ({"username": "hb.clerk"}, "đã có người dùng"),
    ({"username": "HB.Clerk"}, "đã có người dùng"),
    ({"username": "có dấu"}, "chữ thường không dấu"),
    ({"email": "not-an-address"}, "thư điện tử không hợp lệ"),
    ({"phone": "12"}, "9–11 chữ số"),
    ({"role": "boss"}, "Vai trò không hợp lệ"),
    ({"agency_id": "999999"}, "Đơn vị không tồn tại"),
    ({"agency_id": "x\x00"}, "Đơn vị không tồn tại"),
    ({"full_name": "\x1b\x00"}, "Nhập họ và tên"),  # only control characters: blank once cleaned
    ({"full_name": ""}, "Nhập họ và tên"),
    ({"password": "1234567890"}, "quá dễ đoán"),
])
def test_bad_details_get_field_errors_and_save_nothing(db, client, login_as, changes, message):
    login_as("admin")
    before = db.session.scalar(select(func.count()).select_from(User))
    answer = client.post("/admin/staff/new", data=_form(**changes))
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_a_clerk_needs_an_agency_with_a_desk(db, client, login_as):
    login_as("admin")
    ward = agency_named("HBMK")
    ward.has_desk = False
    db.session.flush()
    answer = client.post("/admin/staff/new", data=_form(agency_id=str(ward.id)))
    assert answer.status_code == 422 and "không có bộ phận một cửa" in answer.get_data(as_text=True)


def test_a_supervisor_manages_only_their_subtree_and_never_an_admin(db, client, login_as):
    login_as("hb.supervisor")
    ward_officer = by_username("hbmk.officer")
    listing = client.get("/admin/staff/?state=all").get_data(as_text=True)
    assert 'data-username="hbmk.officer"' in listing and 'data-username="hb.clerk"' in listing
    assert 'data-username="stnmt.officer"' not in listing and 'data-username="admin"' not in listing
    assert 'data-username="hb.supervisor"' not in listing  # not their own account
    assert client.get(f"/admin/staff/{ward_officer.id}").status_code == 200
    for outside in ("stnmt.officer", "admin", "hp.supervisor", "hb.supervisor"):
        user = by_username(outside)
        assert client.get(f"/admin/staff/{user.id}").status_code == 404, outside
        assert client.post(f"/admin/staff/{user.id}/deactivate").status_code == 404, outside
        assert client.post(f"/admin/staff/{user.id}/password").status_code == 404, outside
    answer = client.post("/admin/staff/new", data=_form(role="admin"))
    assert answer.status_code == 422 and by_username("nguyen.van.binh") is None
    answer = client.post("/admin/staff/new", data=_form(role="officer", agency_id=str(agency_named("STNMT").id)))
    assert answer.status_code == 422 and "đơn vị mình" in answer.get_data(as_text=True)
    answer = client.post(f"/admin/staff/{ward_officer.id}", data={
        "username": ward_officer.username, "full_name": ward_officer.full_name, "role": "admin",
        "agency_id": str(ward_officer.agency_id)})
    assert answer.status_code == 422 and by_username("hbmk.officer").role == Role.OFFICER
    assert client.get("/admin/staff/locks").status_code == 404  # admins only
    assert client.post("/admin/staff/new", data=_form()).status_code == 200  # within the subtree: allowed


@pytest.mark.parametrize("username", ["hb.clerk", "hb.officer"])
def test_other_roles_get_a_404(db, client, login_as, username):
    login_as(username)
    assert client.get("/admin/staff/").status_code == 404
    assert client.get(f"/admin/staff/{by_username('hb.clerk').id}").status_code == 404
    assert client.post("/admin/staff/new", data=_form()).status_code == 404
    assert by_username("nguyen.van.binh") is None


def test_anonymous_is_sent_to_login(db, client):
    assert client.get("/admin/staff/").status_code == 302


def test_an_edit_is_audited_before_and_after(db, client, login_as):
    login_as("admin")
    user = new_user("tran.thi.c", agency_code="HB")
    answer = client.post(f"/admin/staff/{user.id}", data={
        "username": "tran.thi.c", "full_name": "Trần Thị C", "role": "officer", "agency_id": str(agency_named("HBMK").id),
        "email": "c@example.vn"})
    assert answer.status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "user.update"))
    assert entry.before["agency"] == "HB" and entry.after["agency"] == "HBMK"
    assert entry.before["full_name"] != entry.after["full_name"] == "Trần Thị C"


def test_deactivating_hands_the_open_work_back_to_routing(db, client, login_as, create_dossier):
    login_as("admin")
    dossier = create_dossier()  # the desk step: assigned to the clerk who logged it
    clerk = by_username("hb.clerk")
    assert dossier.assignee_id == clerk.id
    assert client.post(f"/admin/staff/{clerk.id}/deactivate").status_code == 302
    db.session.refresh(dossier)
    assert dossier.assignee_id is None and not by_username("hb.clerk").active
    routed = db.session.scalars(select(OutboxMessage)).all()
    assert any(m.payload.get("dossier_id") == dossier.id for m in routed)
    assert db.session.scalar(select(AuditEntry.kind).where(AuditEntry.kind == "user.deactivate")) is not None
    assert client.post(f"/admin/staff/{clerk.id}/activate").status_code == 302
    assert by_username("hb.clerk").active


def test_a_one_time_password_reset_ends_sessions_and_must_be_changed(db, client, login_as):
    login_as("admin")
    user = new_user("le.van.d")
    version = user.session_version
    answer = client.post(f"/admin/staff/{user.id}/password", data={})
    assert answer.status_code == 200 and 'data-testid="one-time-password"' in answer.get_data(as_text=True)
    db.session.refresh(user)
    assert user.must_change_password and user.session_version == version + 1


def test_the_list_filters_and_pages_without_a_500(db, client, login_as):
    login_as("admin")
    for query in ("?q=clerk", "?q=%00", "?agency=99999999999999999999", "?role=nope", "?page=99999999999999999999",
                  "?state=inactive", "?q=ngan+hang"):
        assert client.get("/admin/staff/" + query).status_code == 200, query
