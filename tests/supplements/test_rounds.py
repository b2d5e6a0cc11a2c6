"""Supplements as rounds: what was asked (slip 02), what came and when, every round on slip 06; a
procedure's limit stops an unanswered supplement through the door as the system, exactly once,
after the citizen was reminded."""
from datetime import timedelta

from sqlalchemy import func, select

import worker.tasks
from onestop.core import clock
from onestop.dossiers.models import Dossier, DossierEvent, Status
from onestop.dossiers.operations import perform_action, route
from onestop.messages.models import CitizenMessage
from onestop.supplements.models import SupplementRound
from onestop.supplements.operations import stop_lapsed
from tests.conftest import APPLICANT, vn
from tests.race import race

LAND = "1.013978"


def _at_appraisal(db, create_dossier, user):
    """A land dossier (30 working days to bring a supplement) at the department's appraisal."""
    with clock.frozen(vn(2026, 12, 7, 9)):
        applicant = APPLICANT.__class__(**{**APPLICANT.__dict__, "email": "an@example.vn"})
        dossier = create_dossier(applicant=applicant)
        for username in ("hb.clerk", "hb.officer"):
            perform_action(dossier, user(username), "forward", note="ok")
            route(dossier.id, dossier.step_seq)
        db.session.commit()
    return dossier


def _rounds(db, dossier):
    return db.session.scalars(select(SupplementRound).where(SupplementRound.dossier_id == dossier.id)
                              .order_by(SupplementRound.number)).all()


def _messages(db, dossier, kind):
    return db.session.scalars(select(CitizenMessage).where(CitizenMessage.dossier_id == dossier.id,
                                                           CitizenMessage.kind == kind)).all()


def test_a_request_lists_the_missing_documents_and_slip_02_prints_them(client, login_as, db, create_dossier, user):
    dossier = _at_appraisal(db, create_dossier, user)
    login_as("stnmt.officer")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="request-supplement"' in page
    assert 'value="request_supplement"' not in page  # the generic button leaves it to the panel
    with clock.frozen(vn(2026, 12, 9, 9)):
        response = client.post(f"/dossiers/{dossier.id}/supplement/request", data={
            "missing": ["house_papers", "financial_obligation"], "note": "Bổ sung sơ đồ nhà"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/slips/02")
    (round_,) = _rounds(db, dossier)
    assert (round_.number, round_.missing, round_.note, round_.outcome) == (
        1, ["house_papers", "financial_obligation"], "Bổ sung sơ đồ nhà", None)
    assert round_.due_at.astimezone(vn(2026, 1, 1).tzinfo).date().isoformat() == "2027-01-21"  # 30 working days
    slip = client.get(f"/dossiers/{dossier.id}/slips/02").get_data(as_text=True)
    assert "Giấy tờ về quyền sở hữu tài sản gắn liền với đất" in slip and "Chứng từ thực hiện nghĩa vụ tài chính" in slip
    assert "Bổ sung sơ đồ nhà" in slip and "(lần 1)" in slip and 'data-testid="supplement-due"' in slip
    (reminder,) = _messages(db, dossier, "supplement_reminder")[:1]
    assert reminder.channel == "email" and reminder.queued_at is None
    assert reminder.send_after < round_.due_at and "Nếu không bổ sung trước" in reminder.body


def test_a_request_with_nothing_asked_is_a_field_error(client, login_as, db, create_dossier, user):
    dossier = _at_appraisal(db, create_dossier, user)
    login_as("stnmt.officer")
    response = client.post(f"/dossiers/{dossier.id}/supplement/request", data={"missing": ["house_papers"]})
    assert response.status_code == 422 and "Ghi rõ nội dung cần bổ sung." in response.get_data(as_text=True)
    assert _rounds(db, dossier) == [] and dossier.step == "department_appraisal"


def test_the_desk_records_what_came_and_slip_06_shows_every_round(client, login_as, db, create_dossier, user):
    dossier = _at_appraisal(db, create_dossier, user)
    login_as("stnmt.officer")
    client.post(f"/dossiers/{dossier.id}/supplement/request", data={"missing": ["house_papers"], "note": "Nhà"})
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="receive-supplement"' in page
    response = client.post(f"/dossiers/{dossier.id}/supplement/receive", data={"came": ["house_papers"]})
    assert response.status_code == 302 and dossier.step == "district_check" and "house_papers" in dossier.documents
    (round_,) = _rounds(db, dossier)
    assert (round_.outcome, round_.received, round_.closed_by_id) == ("received", ["house_papers"], user("hb.clerk").id)
    assert all(m.cancelled_at is not None for m in _messages(db, dossier, "supplement_reminder"))
    # a second round, through the generic action this time: it is recorded all the same
    perform_action(dossier, user("hb.officer"), "request_supplement", note="Thiếu chữ ký")
    perform_action(dossier, user("hb.clerk"), "supplement_received", documents=dossier.documents)
    assert [(r.number, r.outcome) for r in _rounds(db, dossier)] == [(1, "received"), (2, "received")]
    db.session.commit()
    slip = client.get(f"/dossiers/{dossier.id}/slips/06").get_data(as_text=True)
    assert slip.count('data-testid="supplement-round"') == 2 and "Thiếu chữ ký" in slip and "Đã nhận bổ sung" in slip


def test_an_unanswered_supplement_stops_the_dossier_once_after_a_reminder(client, login_as, db, create_dossier, user):
    dossier = _at_appraisal(db, create_dossier, user)
    with clock.frozen(vn(2026, 12, 9, 9)):
        perform_action(dossier, user("stnmt.officer"), "request_supplement", note="Bổ sung sơ đồ")
    (round_,) = _rounds(db, dossier)
    reminder = _messages(db, dossier, "supplement_reminder")[0]
    from onestop.messages.operations import hand_due
    with clock.frozen(reminder.send_after - timedelta(minutes=1)):
        assert hand_due(clock.now()) == 0 and stop_lapsed(clock.now()) == 0
    with clock.frozen(reminder.send_after + timedelta(minutes=1)):
        assert hand_due(clock.now()) == len(_messages(db, dossier, "supplement_reminder"))
        assert stop_lapsed(clock.now()) == 0 and dossier.status == Status.SUPPLEMENT
    with clock.frozen(round_.due_at + timedelta(minutes=1)):
        counts = worker.tasks.sweep_deadlines()
        assert counts.get("supplement_stopped") == 1
        assert worker.tasks.sweep_deadlines().get("supplement_stopped") is None  # once
        assert stop_lapsed(clock.now()) == 0
    db.session.refresh(dossier)
    assert (dossier.status, dossier.step) == (Status.WITHDRAWN, "withdrawn")
    stop = db.session.scalar(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                        DossierEvent.action == "stop"))
    assert stop.actor_id is None and "Quá thời hạn bổ sung hồ sơ (yêu cầu lần 1" in stop.note
    db.session.refresh(round_)
    assert round_.outcome == "stopped"
    assert _messages(db, dossier, "supplement_stopped")
    login_as("hb.clerk")
    slip = client.get(f"/dossiers/{dossier.id}/slips/05").get_data(as_text=True)
    assert "THÔNG BÁO" in slip and "không bổ sung" in slip and "Quá thời hạn bổ sung" in slip


def test_two_sweeps_at_once_stop_the_dossier_once(app, committed, create_dossier):
    db = committed
    from onestop.auth.models import User

    def user(name):
        return db.session.scalar(select(User).where(User.username == name))

    dossier = _at_appraisal(db, create_dossier, user)
    with clock.frozen(vn(2026, 12, 9, 9)):
        perform_action(dossier, user("stnmt.officer"), "request_supplement", note="Bổ sung")
    db.session.commit()
    due = db.session.scalar(select(SupplementRound.due_at))
    dossier_id = dossier.id

    def sweep(_):
        from onestop.extensions import db as session_db
        stopped = stop_lapsed(due + timedelta(hours=1))
        session_db.session.commit()
        return stopped

    with clock.frozen(due + timedelta(hours=1)):  # once, here: the frozen clock is the whole process's
        results = race(app, db, 4, lambda: None, sweep)
    assert sorted(results) == [0, 0, 0, 1]
    assert db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier_id, DossierEvent.action == "stop")) == 1
    assert db.session.get(Dossier, dossier_id).status == Status.WITHDRAWN
