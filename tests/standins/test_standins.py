"""Stand-ins: while an officer is away, routing skips them, their stand-in sees and acts on their
dossiers ("X thay mặt Y"), reminders go to whoever is present; when the absence ends all comes back."""
from datetime import date

import pytest
from sqlalchemy import select

from onestop.auth.absences import Absence
from onestop.auth.models import Role
from onestop.core import clock
from onestop.core.audit import AuditEntry
from onestop.core.errors import OperationError
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import assign, available_actions, perform_action, route
from onestop.notifications.sweep import sweep
from onestop.standins.operations import record_absence
from tests.conftest import vn
from tests.factories import by_username, new_user

MONDAY = (2026, 12, 7, 8, 0)  # the land dossier reaches the district on Monday 7 Dec 2026 (due 14 Dec 13:30)


@pytest.fixture
def away(db):
    """hb.officer is away from Tue 8 to Fri 11 Dec 2026; a second officer of Hồng Bàng stands in."""
    officer, second = by_username("hb.officer"), new_user("hb.officer2", agency_code="HB", full_name="Phạm Văn Thay")
    with clock.frozen(vn(*MONDAY)):
        absence = record_absence(officer, officer, stand_in=second, starts_on=date(2026, 12, 8),
                                 ends_on=date(2026, 12, 11), reason="Nghỉ phép")
    return officer, second, absence


def _at_district(db, create_dossier, user, at=MONDAY):
    with clock.frozen(vn(*at)):
        dossier = create_dossier()
        perform_action(dossier, user("hb.clerk"), "forward")
        db.session.commit()
    return dossier


def test_routing_skips_the_absent_and_comes_back_when_the_absence_ends(db, create_dossier, user, away):
    officer, second, _absence = away
    during = _at_district(db, create_dossier, user, at=(2026, 12, 9, 9, 0))
    with clock.frozen(vn(2026, 12, 9, 9, 0)):
        assert route(during.id, during.step_seq) == second
    after = _at_district(db, create_dossier, user, at=(2026, 12, 14, 9, 0))
    with clock.frozen(vn(2026, 12, 14, 9, 0)):
        assert route(after.id, after.step_seq) == officer  # the less loaded of the two again, with no one's help


def test_the_stand_in_has_a_tab_acts_on_behalf_and_the_history_says_so(app, db, client, login_as, create_dossier,
                                                                       user, away):
    officer, second, _absence = away
    dossier = _at_district(db, create_dossier, user)
    with clock.frozen(vn(*MONDAY)):
        route(dossier.id, dossier.step_seq)
    assert dossier.assignee_id == officer.id
    login_as("hb.officer2")
    with clock.frozen(vn(2026, 12, 9, 9, 0)):
        inbox = client.get("/inbox?tab=standing_in").get_data(as_text=True)
        assert 'data-tab="standing_in"' in inbox and "Thay mặt Cán bộ hb.officer" not in inbox
        assert f"Thay mặt {officer.full_name}" in inbox and dossier.code in inbox
        answer = client.post(f"/dossiers/{dossier.id}/action", data={"action": "forward", "note": "Đủ điều kiện"})
        assert answer.status_code == 302
        event = db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                                   .order_by(DossierEvent.id.desc())).first()
        assert event.actor_id == second.id and event.on_behalf_of_id == officer.id
        page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
        assert f"{second.full_name} thay mặt {officer.full_name}" in page
        slip = client.get(f"/dossiers/{dossier.id}/slips/06").get_data(as_text=True)
        assert f"thay mặt {officer.full_name}" in slip
    with clock.frozen(vn(2026, 12, 14, 9, 0)):  # the absence is over: the tab is gone by itself
        assert 'data-tab="standing_in"' not in client.get("/inbox").get_data(as_text=True)


def test_a_stand_in_may_press_the_absent_supervisors_actions_only_while_standing_in(db, create_dossier, user):
    leader, deputy = user("hp.supervisor"), user("hp.officer")
    dossier = _at_district(db, create_dossier, user)
    with clock.frozen(vn(*MONDAY)):
        route(dossier.id, dossier.step_seq)
        perform_action(dossier, user("hb.officer"), "forward")
        route(dossier.id, dossier.step_seq)
        perform_action(dossier, user("stnmt.officer"), "forward")
        route(dossier.id, dossier.step_seq)
    assert dossier.step == "city_sign" and dossier.assignee_id == leader.id
    with clock.frozen(vn(*MONDAY)):
        assert "sign" not in {a.name for a in available_actions(dossier, deputy)}
        record_absence(leader, leader, stand_in=deputy, starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 8),
                       reason="Công tác")
        assert "sign" in {a.name for a in available_actions(dossier, deputy)}
        event = perform_action(dossier, deputy, "sign")
        assert event.on_behalf_of_id == leader.id
    assert dossier.step == "result_at_desk"


def test_reminders_and_escalations_go_to_whoever_is_present(db, create_dossier, user, away):
    officer, second, absence = away
    leader, deputy = user("hb.supervisor"), new_user("hb.deputy", role=Role.SUPERVISOR, agency_code="HB")
    dossier = _at_district(db, create_dossier, user)
    with clock.frozen(vn(*MONDAY)):
        route(dossier.id, dossier.step_seq)
        record_absence(leader, leader, stand_in=deputy, starts_on=date(2026, 12, 15), ends_on=date(2026, 12, 15),
                       reason="Họp")
    with clock.frozen(vn(2026, 12, 11, 9, 0)):  # 75 %: the officer is away, the stand-in hears it
        sweep()
    with clock.frozen(vn(2026, 12, 14, 13, 30)):  # due: the officer is back
        sweep()
    with clock.frozen(vn(2026, 12, 15, 13, 30)):  # escalation: the district leader is away that day
        sweep()
    sent = dict(db.session.execute(select(Notification.kind, Notification.user_id).where(
        Notification.dossier_id == dossier.id, Notification.kind != "assigned")).all())
    assert sent["due_soon"] == second.id and sent["due"] == officer.id and sent["overdue"] == officer.id
    assert sent["escalation"] == deputy.id
    with clock.frozen(vn(2026, 12, 16, 9, 0)):
        assert absence.is_over


@pytest.mark.parametrize("case, message", [
    ("other_agency", "cùng đơn vị"), ("past", "đã qua"), ("backwards", "sau hoặc bằng"),
    ("overlap", "trùng thời gian"), ("no_reason", "lý do"), ("stand_in_away", "cũng vắng mặt"),
])
def test_bad_absences_are_refused(db, away, user, case, message):
    officer, second, _absence = away
    kwargs = {"stand_in": second, "starts_on": date(2026, 12, 20), "ends_on": date(2026, 12, 22), "reason": "Ốm"}
    target = officer
    if case == "other_agency":
        kwargs["stand_in"] = user("stnmt.officer")
    elif case == "past":
        kwargs.update(starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 2))
    elif case == "backwards":
        kwargs.update(starts_on=date(2026, 12, 22), ends_on=date(2026, 12, 20))
    elif case == "overlap":
        kwargs.update(starts_on=date(2026, 12, 10), ends_on=date(2026, 12, 12))
    elif case == "no_reason":
        kwargs["reason"] = "  "
    elif case == "stand_in_away":
        target, kwargs["stand_in"] = second, officer
        kwargs.update(starts_on=date(2026, 12, 9), ends_on=date(2026, 12, 9))
    with clock.frozen(vn(*MONDAY)), pytest.raises(OperationError, match=message):
        record_absence(target, target, **kwargs)


def test_who_may_record_and_cancel(db, client, login_as, away, user):
    officer, second, absence = away
    with clock.frozen(vn(2026, 12, 9, 9, 0)):
        with pytest.raises(OperationError):
            record_absence(user("stnmt.officer"), officer, stand_in=second, starts_on=date(2026, 12, 20),
                           ends_on=date(2026, 12, 20), reason="x")
        record_absence(user("hb.supervisor"), second, stand_in=officer, starts_on=date(2026, 12, 20),
                       ends_on=date(2026, 12, 20), reason="Tập huấn")  # their supervisor does it for them
        login_as("stnmt.officer")
        assert client.post(f"/absences/{absence.id}/cancel").status_code == 404
        login_as("hb.clerk")
        assert client.get("/absences/").status_code == 404
        login_as("hb.officer")
        page = client.get("/absences/").get_data(as_text=True)
        assert f'data-absence="{absence.id}"' in page
        assert client.post(f"/absences/{absence.id}/cancel").status_code == 302
        assert not absence.is_current  # ended at once
        assert route_candidates_include(officer)
    kinds = db.session.scalars(select(AuditEntry.kind).where(AuditEntry.kind.like("absence.%"))).all()
    assert kinds.count("absence.create") == 2 and kinds.count("absence.cancel") == 1


def route_candidates_include(user) -> bool:
    from onestop.auth.absences import current_absence

    return current_absence(user.id) is None


def test_the_absence_form_gives_field_errors(db, client, login_as, away):
    officer, second, _absence = away
    login_as("hb.officer")
    with clock.frozen(vn(*MONDAY)):
        answer = client.post("/absences/", data={"user_id": str(officer.id), "stand_in_id": str(second.id),
                                                 "starts_on": "31/02/2026", "ends_on": "", "reason": ""})
        assert answer.status_code == 422
        text = answer.get_data(as_text=True)
        assert "Ngày không hợp lệ" in text and "Chọn ngày kết thúc." in text and "Nhập lý do vắng mặt." in text
        other = by_username("stnmt.officer")
        answer = client.post("/absences/", data={"user_id": str(other.id), "stand_in_id": str(second.id),
                                                 "starts_on": "20/12/2026", "ends_on": "21/12/2026", "reason": "x"})
        assert answer.status_code == 422
        answer = client.post("/absences/", data={"user_id": str(officer.id), "stand_in_id": str(second.id),
                                                 "starts_on": "20/12/2026", "ends_on": "21/12/2026", "reason": "Ốm\x00\x1b"})
        assert answer.status_code == 302
        for bad in ({"user_id": "x\x00"}, {"stand_in_id": "99999999999999999999"}, {"starts_on": "9999-99-99"}):
            data = {"user_id": str(officer.id), "stand_in_id": str(second.id), "starts_on": "28/12/2026",
                    "ends_on": "29/12/2026", "reason": "Ốm", **bad}
            assert client.post("/absences/", data=data).status_code == 422, bad
    reasons = db.session.scalars(select(Absence.reason).where(Absence.user_id == officer.id).order_by(Absence.id))
    assert list(reasons) == ["Nghỉ phép", "Ốm"]


def test_assign_still_refuses_someone_outside_the_holding_agency(db, create_dossier, user, away):
    dossier = _at_district(db, create_dossier, user)
    with pytest.raises(OperationError):
        assign(dossier, None, user("stnmt.officer"))
