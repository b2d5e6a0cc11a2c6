"""Apology and extension (slip 04): the holder asks, a supervisor of the holding agency decides.

The certification of copies (2.000815, one working day) is received at the Minh Khai ward desk on
Monday 7 Dec 2026 at 08:00: the appointment is Tuesday 8 Dec at 08:00. The ward's officer holds it.
"""
from datetime import date

import pytest
from sqlalchemy import select

from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action, route
from onestop.extension_requests.models import ExtensionStatus
from onestop.extension_requests.operations import approve_extension, may_request_extension, reject_extension, request_extension
from tests.conftest import COPY, vn

REASON = "Hệ thống chứng thực điện tử gián đoạn, chưa ký số được bản sao."


@pytest.fixture
def at_ward(db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
        perform_action(dossier, user("hbmk.clerk"), "forward")
        route(dossier.id, dossier.step_seq)
        db.session.commit()
    assert dossier.due_at == vn(2026, 12, 8, 8, 0) and dossier.assignee == user("hbmk.officer")
    return dossier


def ask(dossier, user, at=(2026, 12, 7, 16, 30), who="hbmk.officer", new=date(2026, 12, 10), reason=REASON):
    with clock.frozen(vn(*at)):
        return request_extension(dossier, user(who), reason=reason, new_date=new)


def test_request_then_approve_moves_the_appointment_and_keeps_the_original(db, at_ward, user):
    d = at_ward
    extension = ask(d, user)
    assert (extension.status, extension.previous_due_at, extension.new_due_at) == (
        ExtensionStatus.REQUESTED, vn(2026, 12, 8, 8, 0), vn(2026, 12, 10, 8, 0))
    assert extension.agency.code == "HBMK" and extension.step == "justice_check"
    assert d.due_at == vn(2026, 12, 8, 8, 0)  # nothing moves before the decision
    leader = user("hbmk.supervisor")
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == leader.id,
                                                             Notification.dossier_id == d.id)) == "extension_requested"
    with clock.frozen(vn(2026, 12, 7, 16, 45)):
        event = approve_extension(extension, leader, "Đồng ý")
    db.session.commit()
    assert d.due_at == vn(2026, 12, 10, 8, 0)
    assert d.original_due_at == vn(2026, 12, 8, 8, 0)
    assert (extension.status, extension.decided_by, extension.decision_note) == (ExtensionStatus.APPROVED, leader, "Đồng ý")
    assert (event.action, event.from_step, event.to_step, event.actor) == ("extend", "justice_check", "justice_check", leader)
    assert "08:00 08/12/2026" in event.note and "08:00 10/12/2026" in event.note and REASON in event.note
    assert db.session.scalar(select(Notification.kind).where(
        Notification.user_id == user("hbmk.officer").id, Notification.kind.like("extension%"))) == "extension_approved"
    # a second extension keeps the receipt's appointment as the original
    extension2 = ask(d, user, at=(2026, 12, 9, 16, 0), new=date(2026, 12, 14))
    with clock.frozen(vn(2026, 12, 9, 16, 5)):
        approve_extension(extension2, leader)
    assert (d.original_due_at, d.due_at) == (vn(2026, 12, 8, 8, 0), vn(2026, 12, 14, 8, 0))


def test_reject_needs_a_reason_and_leaves_the_appointment(db, at_ward, user):
    d = at_ward
    extension = ask(d, user)
    leader = user("hbmk.supervisor")
    with pytest.raises(OperationError, match="lý do"):
        reject_extension(extension, leader, "  ")
    reject_extension(extension, leader, "Đề nghị xử lý ngay trong ngày.")
    assert extension.status == ExtensionStatus.REJECTED and d.due_at == vn(2026, 12, 8, 8, 0)
    assert d.original_due_at is None
    assert db.session.scalar(select(DossierEvent).where(DossierEvent.action == "extend")) is None
    with pytest.raises(OperationError, match="đã được xử lý"):
        approve_extension(extension, leader)
    ask(d, user)  # a new request may follow a rejection


@pytest.mark.parametrize("who", ["lc.officer", "hb.officer", "admin"])
def test_only_the_holding_agency_may_ask(db, at_ward, user, who):
    with pytest.raises(OperationError, match="cơ quan đang giữ"):
        ask(at_ward, user, who=who)
    assert not at_ward.extensions


@pytest.mark.parametrize("who", ["hbmk.officer", "hbmk.clerk", "hb.supervisor", "lc.supervisor", "admin"])
def test_only_a_supervisor_of_the_holding_agency_decides(db, at_ward, user, who):
    extension = ask(at_ward, user)
    with pytest.raises(OperationError, match="lãnh đạo cơ quan đang giữ"):
        approve_extension(extension, user(who))
    assert extension.is_pending and at_ward.due_at == vn(2026, 12, 8, 8, 0)


@pytest.mark.parametrize("new, message", [
    (date(2026, 12, 8), "sau ngày hẹn hiện tại"),
    (date(2026, 12, 12), "ngày làm việc"),  # a Saturday
    (date(2028, 1, 10), "một năm"),
    (None, "Chọn ngày"),
])
def test_new_date_is_checked(db, at_ward, user, new, message):
    with pytest.raises(OperationError, match=message):
        ask(at_ward, user, new=new)


def test_reason_is_required_and_one_request_at_a_time(db, at_ward, user):
    with pytest.raises(OperationError, match="lý do"):
        ask(at_ward, user, reason="   ")
    ask(at_ward, user)
    with pytest.raises(OperationError, match="đang chờ"):
        ask(at_ward, user, new=date(2026, 12, 11))


def test_only_late_or_nearly_late_dossiers(db, create_dossier, user):
    """A land certificate (27 working days) received today is not late: no apology yet."""
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        land = create_dossier()
        assert not may_request_extension(land, user("hb.clerk"))
        with pytest.raises(OperationError, match="quá hạn hoặc sắp đến hẹn"):
            request_extension(land, user("hb.clerk"), reason=REASON, new_date=date(2027, 2, 1))


def test_a_supplement_pause_moves_the_original_appointment_too(db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        land = create_dossier()
        perform_action(land, user("hb.clerk"), "forward")
        route(land.id, land.step_seq)
    due = land.due_at
    with clock.frozen(due):
        extension = request_extension(land, user("hb.officer"), reason=REASON, new_date=date(2027, 1, 25))
        approve_extension(extension, user("hb.supervisor"))
        perform_action(land, user("hb.officer"), "request_supplement", note="Thiếu trích đo")
    assert land.original_due_at == due
    with clock.frozen(vn(2027, 1, 22, 9, 0)):  # the pause began on the old appointment day
        perform_action(land, user("hb.clerk"), "supplement_received", documents=[
            "application", "land_papers", "cadastral_extract", "fee_declaration"])
    assert land.original_due_at > due and land.due_at > vn(2027, 1, 25)


# --- the pages ---------------------------------------------------------------------------------

def test_request_page_validates_with_vietnamese_field_errors(client, login_as, at_ward):
    login_as("hbmk.officer")
    url = f"/dossiers/{at_ward.id}/extensions/new"
    with clock.frozen(vn(2026, 12, 7, 16, 30)):
        assert client.get(url).status_code == 200
        page = client.post(url, data={"new_date": "12/12/2026", "reason": ""})
        assert page.status_code == 422
        html = page.get_data(as_text=True)
        assert "Nêu rõ lý do chậm trễ." in html and "Ngày hẹn mới phải là ngày làm việc." in html
        page = client.post(url, data={"new_date": "hôm qua", "reason": REASON})
        assert "Ngày không hợp lệ (ngày/tháng/năm)." in page.get_data(as_text=True)
        done = client.post(url, data={"new_date": "2026-12-10", "reason": REASON})
    assert done.status_code == 302
    assert at_ward.extensions[0].new_due_at == vn(2026, 12, 10, 8, 0)


def test_pages_are_out_of_scope_for_other_agencies(client, login_as, at_ward, user):
    extension = ask(at_ward, user)
    login_as("lc.officer")
    assert client.get(f"/dossiers/{at_ward.id}/extensions/new").status_code == 404
    assert client.get(f"/dossiers/{at_ward.id}/extensions/{extension.id}").status_code == 404
    login_as("hbmk.supervisor")
    assert client.get(f"/dossiers/{at_ward.id}/extensions/{extension.id + 999}").status_code == 404


def test_supervisor_decides_on_the_page_and_the_slip_and_receipt_show_it(db, client, login_as, at_ward, user):
    extension = ask(at_ward, user)
    db.session.commit()
    url = f"/dossiers/{at_ward.id}/extensions/{extension.id}"
    login_as("hbmk.officer")
    assert 'data-testid="extension-decision"' not in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"decision": "approve"}).status_code == 200  # no form for the officer
    assert extension.is_pending

    login_as("hbmk.supervisor")
    with clock.frozen(vn(2026, 12, 7, 16, 45)):
        page = client.post(url, data={"decision": "reject", "note": ""})
        assert page.status_code == 422 and "Nêu lý do không duyệt." in page.get_data(as_text=True)
        assert client.post(url, data={"decision": "approve", "note": "Đồng ý"}).status_code == 302
    assert extension.status == ExtensionStatus.APPROVED and at_ward.due_at == vn(2026, 12, 10, 8, 0)

    dossier_page = client.get(f"/dossiers/{at_ward.id}").get_data(as_text=True)
    assert 'data-testid="extended"' in dossier_page and "08/12/2026 08:00" in dossier_page
    assert "Gia hạn hẹn trả" in dossier_page  # the history line
    assert f"/dossiers/{at_ward.id}/slips/04" in dossier_page

    slip = client.get(f"/dossiers/{at_ward.id}/slips/04").get_data(as_text=True)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in slip
    assert REASON in slip and "08 giờ 00 phút, ngày 10/12/2026" in slip and "08 giờ 00 phút, ngày 08/12/2026" in slip
    assert user("hbmk.supervisor").full_name in slip
    receipt = client.get(f"/dossiers/{at_ward.id}/slips/01").get_data(as_text=True)
    assert 'data-testid="receipt-extended"' in receipt
    assert client.get(f"/dossiers/{at_ward.id}/slips/06").status_code == 200  # an extension is no handover


def test_slip_04_only_after_an_approval(client, login_as, at_ward, user):
    ask(at_ward, user)
    login_as("hbmk.officer")
    assert client.get(f"/dossiers/{at_ward.id}/slips/04").status_code == 404
    assert [e.status for e in at_ward.extensions] == [ExtensionStatus.REQUESTED]
