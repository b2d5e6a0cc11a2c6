"""The operations door: receiving, the whole land journey, branches, refusals, forbidden moves."""
import re

import pytest
from sqlalchemy import func, insert, select, update

from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.core.outbox import OutboxMessage
from onestop.core.tasks import Task
from onestop.dossiers.models import DailySequence, Dossier, DossierEvent, Status
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action, receive_dossier, return_result, route
from tests.conftest import APPLICANT, COPY, LAND, vn
from tests.helpers import settle_fees


def test_receive_gives_code_due_date_and_event(db, create_dossier, user):
    with clock.frozen(vn(2026, 11, 26, 9, 0)):  # Thursday
        dossier = create_dossier()
    assert re.fullmatch(r"HB-261126-\d{4}", dossier.code)
    assert dossier.step == "reception"
    assert dossier.holder_agency.code == "HB"
    assert dossier.assignee == user("hb.clerk")
    # 27 working days from Thu 26/11/2026 09:00; weekends and New Year's Day 1/1/2027 skipped
    assert dossier.due_at == vn(2027, 1, 5, 9, 0)
    events = dossier.events
    assert [(e.action, e.to_step, e.to_agency.code) for e in events] == [("receive", "reception", "HB")]


def test_codes_follow_daily_sequence_per_agency(db, create_dossier):
    with clock.frozen(vn(2026, 11, 26, 9, 0)):
        first, second = create_dossier(), create_dossier()
        other = create_dossier(clerk="lc.clerk")
    with clock.frozen(vn(2026, 11, 27, 9, 0)):
        next_day = create_dossier()
    n1 = int(first.code[-4:])
    assert second.code == f"HB-261126-{n1 + 1:04d}"
    assert other.code.startswith("LC-261126-")
    assert next_day.code == "HB-261127-0001"


def test_a_code_takes_the_local_day_and_grows_past_four_digits(db, create_dossier):
    """The day is Hà Nội's: 00:30 on 28/11 local is still 27/11 in UTC. After 9999 the number takes
    a fifth digit (PostgreSQL's trigger and SQLite's Python write the same codes)."""
    with clock.frozen(vn(2026, 11, 28, 0, 30)):
        first = create_dossier()
    assert first.code == "HB-261128-0001"
    db.session.execute(update(DailySequence).where(DailySequence.agency_id == first.receiving_agency_id)
                       .values(last_value=9999))
    with clock.frozen(vn(2026, 11, 28, 23, 50)):
        assert create_dossier().code == "HB-261128-10000"


def test_a_code_given_with_the_row_is_kept(db, create_dossier):
    """Rows written with their code (an import, a generator of test data) are not numbered again."""
    dossier = create_dossier()
    columns = {c.key: getattr(dossier, c.key) for c in Dossier.__table__.columns if c.key not in ("id", "code")}
    copied = db.session.execute(insert(Dossier.__table__).values(**columns, code="HB-IMPORTED-1")
                                .returning(Dossier.__table__.c.code)).scalar_one()
    assert copied == "HB-IMPORTED-1"


def test_due_date_skips_weekend(db, create_dossier):
    with clock.frozen(vn(2026, 11, 27, 16, 0)):  # Friday 16:00, 1 working day
        dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    assert dossier.due_at == vn(2026, 11, 30, 16, 0)  # Monday 16:00


def _act(dossier, action, username, user, note="ok"):
    return perform_action(dossier, user(username), action, note=note)


def test_whole_land_journey_desk_district_department_city_desk(db, create_dossier, user):
    dossier = create_dossier()
    _act(dossier, "forward", "hb.clerk", user)
    assert (dossier.step, dossier.holder_agency.code, dossier.assignee) == ("district_check", "HB", None)
    assert route(dossier.id, dossier.step_seq) == user("hb.officer")
    _act(dossier, "forward", "hb.officer", user)
    assert (dossier.step, dossier.holder_agency.code) == ("department_appraisal", "STNMT")
    route(dossier.id, dossier.step_seq)
    _act(dossier, "forward", "stnmt.officer", user)
    assert (dossier.step, dossier.holder_agency.code) == ("city_sign", "HP")
    assert route(dossier.id, dossier.step_seq) == user("hp.supervisor")
    _act(dossier, "sign", "hp.supervisor", user)
    assert (dossier.step, dossier.holder_agency.code) == ("result_at_desk", "HB")
    route(dossier.id, dossier.step_seq)
    settle_fees(dossier, user("hb.clerk"))
    return_result(dossier, user("hb.clerk"), recipient="Nguyễn Văn An")
    assert dossier.status == Status.DONE and dossier.finished_at is not None
    trail = db.session.execute(select(DossierEvent.action, DossierEvent.to_step).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.action.not_in(("assign", "fee"))).order_by(DossierEvent.id)).all()
    assert [tuple(t) for t in trail] == [
        ("receive", "reception"), ("forward", "district_check"), ("forward", "department_appraisal"),
        ("forward", "city_sign"), ("sign", "result_at_desk"), ("return_result", "done")]
    outbox = db.session.scalars(select(OutboxMessage.payload).where(OutboxMessage.task == Task.ROUTE_DOSSIER)).all()
    assert {p["dossier_id"] for p in outbox} == {dossier.id}
    assert len(outbox) == 4


def test_other_agency_cannot_act(db, create_dossier, user):
    dossier = create_dossier()
    with pytest.raises(OperationError):
        _act(dossier, "forward", "lc.clerk", user)
    with pytest.raises(OperationError):
        _act(dossier, "forward", "stnmt.officer", user)
    assert dossier.step == "reception"


@pytest.mark.parametrize("action", ["sign", "return_result", "supplement_received", "approve", "nonsense"])
def test_actions_not_defined_from_the_step_are_refused(db, create_dossier, user, action):
    dossier = create_dossier()
    with pytest.raises(OperationError):
        _act(dossier, action, "hb.clerk", user)
    assert dossier.step == "reception" and len(dossier.events) == 1


def test_wrong_role_in_right_agency_is_refused(db, create_dossier, user):
    dossier = create_dossier()
    _act(dossier, "forward", "hb.clerk", user)
    with pytest.raises(OperationError):
        _act(dossier, "forward", "hb.clerk", user)  # the district check is the officer's
    assert dossier.step == "district_check"


def test_refusal_needs_a_reason_and_leaves_dossier_untouched(db, create_dossier, user):
    dossier = create_dossier()
    _act(dossier, "forward", "hb.clerk", user)
    before = (dossier.step, dossier.status, dossier.step_seq, len(dossier.events))
    with pytest.raises(OperationError, match="lý do"):
        _act(dossier, "refuse", "hb.officer", user, note="  ")
    assert (dossier.step, dossier.status, dossier.step_seq, len(dossier.events)) == before
    _act(dossier, "refuse", "hb.officer", user, note="Đất đang tranh chấp")
    assert dossier.status == Status.REFUSED
    assert dossier.events[-1].note == "Đất đang tranh chấp"


def test_forward_needs_required_documents(db, create_dossier, user):
    dossier = create_dossier(documents=["application"])
    with pytest.raises(OperationError, match="Còn thiếu giấy tờ"):
        _act(dossier, "forward", "hb.clerk", user)
    assert dossier.step == "reception"


def test_supplement_pauses_clock_and_resumes(db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):  # Monday
        dossier = create_dossier()
        _act(dossier, "forward", "hb.clerk", user)
        due = dossier.due_at
        _act(dossier, "request_supplement", "hb.officer", user, note="Thiếu trích đo thửa đất")
    assert dossier.status == Status.SUPPLEMENT and dossier.holder_agency.code == "HB"
    assert dossier.paused_at is not None and dossier.step_due_at is None
    with clock.frozen(vn(2026, 12, 9, 8, 0)):  # two working days later
        perform_action(dossier, user("hb.clerk"), "supplement_received", note="Đã bổ sung",
                       documents=["application", "land_papers", "cadastral_extract", "fee_declaration"])
    assert dossier.status == Status.PROCESSING and dossier.step == "district_check"
    assert dossier.paused_at is None
    assert dossier.paused_hours == pytest.approx(16)
    assert dossier.due_at > due


def test_withdraw_at_desk(db, create_dossier, user):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    _act(dossier, "withdraw", "hbmk.clerk", user, note="Công dân xin rút")
    assert dossier.status == Status.WITHDRAWN


def test_simple_ward_procedure_stays_in_ward(db, create_dossier, user):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    _act(dossier, "forward", "hbmk.clerk", user)
    assert dossier.holder_agency.code == "HBMK"
    route(dossier.id, dossier.step_seq)
    _act(dossier, "forward", "hbmk.officer", user)
    route(dossier.id, dossier.step_seq)
    _act(dossier, "sign", "hbmk.supervisor", user)
    route(dossier.id, dossier.step_seq)
    return_result(dossier, user("hbmk.clerk"), recipient="Nguyễn Văn An")
    assert dossier.status == Status.DONE


def test_receive_refuses_non_clerk_and_unknown_procedure(db, user):
    with pytest.raises(OperationError):
        receive_dossier(user("hb.officer"), procedure_code=LAND, applicant=APPLICANT, documents=[])
    with pytest.raises(OperationError):
        receive_dossier(user("hb.clerk"), procedure_code="9.999999", applicant=APPLICANT, documents=[])
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_route_picks_least_loaded_and_is_idempotent(db, create_dossier, user):
    first, second = create_dossier(), create_dossier()
    for d in (first, second):
        _act(d, "forward", "hb.clerk", user)
    assert route(first.id, first.step_seq) == user("hb.officer")
    assert route(first.id, first.step_seq) is None  # already assigned
    assert route(second.id, second.step_seq - 1) is None  # stale move
    count = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.dossier_id == first.id, Notification.kind == "assigned"))
    assert count == 1


def test_route_prefers_officer_with_fewer_open_dossiers(db, create_dossier, user):
    from onestop.auth.models import Role, User
    extra = User(username="hb.officer2", full_name="Chuyên viên 2", role=Role.OFFICER,
                 agency=user("hb.officer").agency, password_hash="x")
    db.session.add(extra)
    a, b = create_dossier(), create_dossier()
    for d in (a, b):
        _act(d, "forward", "hb.clerk", user)
    assert route(a.id, a.step_seq) == user("hb.officer")  # tie: lowest id
    assert route(b.id, b.step_seq) == extra  # hb.officer now has one


def test_step_due_time_set_from_step_budget(db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):  # Monday 08:00
        dossier = create_dossier()
        _act(dossier, "forward", "hb.clerk", user)
    # district check: 44 working hours = 5.5 days from Mon 08:00 -> next Mon 7/12 + 5 days 08:00, + 4 h
    assert dossier.step_due_at == vn(2026, 12, 14, 13, 30)


def test_a_supplement_asked_and_brought_within_closed_hours_keeps_the_appointment(db, create_dossier, user):
    """Asked at 17:30 and brought at 18:00 the same evening: no working time passed, so the appointment
    printed on the receipt stays, even when it falls at a closing time (it used to move to the next
    opening, 07:30 of the next working day)."""
    from datetime import timedelta

    from onestop.core.workdays import current_calendar
    from onestop.workflows.engine import engine

    appointment = vn(2027, 3, 19, 17, 0)
    received = current_calendar().subtract_working_hours(appointment, engine().procedure(LAND).budget_hours)
    with clock.frozen(received):
        dossier = create_dossier()
        perform_action(dossier, user("hb.clerk"), "forward")
    assert dossier.due_at == appointment
    evening = received.astimezone(appointment.tzinfo).replace(hour=17, minute=30) + timedelta(days=1)
    with clock.frozen(evening):
        perform_action(dossier, user("hb.officer"), "request_supplement", note="Thiếu trích lục bản đồ.")
    with clock.frozen(evening + timedelta(minutes=30)):
        perform_action(dossier, user("hb.clerk"), "supplement_received", note="Đã bổ sung",
                       documents=["application", "land_papers", "cadastral_extract", "fee_declaration"])
    assert dossier.due_at == appointment and dossier.paused_hours == 0
