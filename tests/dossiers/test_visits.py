"""Step visits written by the verbs: entered and left, holder, assignee, working and paused hours.

The birth registration (1.001193) at Máy Chai: reception (2 h, the desk), the civil-status check
(2 h, the ward's officer), a supplement wait, the leader's signature, the result at the desk.
Office hours 07:30-11:30 and 13:00-17:00.
"""
from sqlalchemy import select

from onestop.administration.handover import hand_back_work
from onestop.core import clock
from onestop.dossiers.operations import assign, route
from onestop.dossiers.visits import StepVisit, open_visit
from tests.conftest import vn
from tests.reports.history import BIRTH, History


def visits(db, dossier) -> list[StepVisit]:
    return list(db.session.scalars(select(StepVisit).where(StepVisit.dossier_id == dossier.id)
                                   .order_by(StepVisit.step_seq)))


def test_receiving_opens_the_first_visit(db, user):
    h = History(db)
    d = h.receive("b", vn(2026, 12, 7, 8), "hbmk.clerk", BIRTH)
    (visit,) = visits(db, d)
    assert (visit.step_seq, visit.step, visit.procedure_code) == (0, "reception", BIRTH)
    assert (visit.agency_id, visit.assignee_id) == (d.receiving_agency_id, user("hbmk.clerk").id)
    assert (visit.entered_at, visit.left_at, visit.hours) == (vn(2026, 12, 7, 8), None, None)
    assert visit.due_at == d.step_due_at == vn(2026, 12, 7, 10)
    assert visit.remind_at == vn(2026, 12, 7, 9, 30)  # 75 % of 2 h
    assert (visit.reminded_day, visit.escalated) == (-1, 0)


def test_each_move_closes_the_visit_and_opens_the_next(db, user):
    h = History(db)
    d = h.receive("b", vn(2026, 12, 7, 8), "hbmk.clerk", BIRTH)
    h.act("b", vn(2026, 12, 7, 11), "forward", "hbmk.clerk")
    reception, check = visits(db, d)
    assert (reception.left_at, reception.hours, reception.paused_hours) == (vn(2026, 12, 7, 11), 3.0, 0.0)
    assert (reception.due_at, reception.remind_at) == (None, None)
    assert (check.step_seq, check.step, check.entered_at, check.left_at) == (1, "civil_status_check",
                                                                              vn(2026, 12, 7, 11), None)
    assert check.assignee_id is None  # the officer's step: routing decides
    assert check.due_at == d.step_due_at == vn(2026, 12, 7, 14, 30)  # 30 min before noon, 1.5 h after
    with clock.frozen(vn(2026, 12, 7, 11, 5)):
        officer = route(d.id, d.step_seq)
    assert open_visit(d.id).assignee_id == officer.id == user("hbmk.officer").id
    h.act("b", vn(2026, 12, 7, 13, 30), "forward", "hbmk.officer")
    check = visits(db, d)[1]
    assert (check.left_at, check.hours, check.assignee_id) == (vn(2026, 12, 7, 13, 30), 1.0, officer.id)


def test_a_reassignment_and_a_handed_back_account_change_the_open_visit(db, user):
    h = History(db)
    d = h.receive("b", vn(2026, 12, 7, 8), "hbmk.clerk", BIRTH)
    h.act("b", vn(2026, 12, 7, 8, 30), "forward", "hbmk.clerk")
    with clock.frozen(vn(2026, 12, 7, 9)):
        assign(d, user("hbmk.supervisor"), user("hbmk.officer"))
        assert open_visit(d.id).assignee_id == user("hbmk.officer").id
        hand_back_work(user("hbmk.officer"), user("admin"), "Thu hồi phân công")
    assert open_visit(d.id).assignee_id is None
    assert visits(db, d)[0].assignee_id == user("hbmk.clerk").id  # the closed visit keeps its own


def test_a_supplement_wait_counts_paused_hours_and_stops_the_step_clock(db):
    h = History(db)
    d = h.receive("b", vn(2026, 12, 7, 8), "hbmk.clerk", BIRTH)
    h.act("b", vn(2026, 12, 7, 8, 30), "forward", "hbmk.clerk")
    h.act("b", vn(2026, 12, 7, 9), "request_supplement", "hbmk.officer", "Thiếu tờ khai")
    wait = open_visit(d.id)
    assert (wait.step, wait.due_at, wait.remind_at) == ("supplement", None, None)
    paused_before = d.paused_hours
    h.act("b", vn(2026, 12, 8, 9), "supplement_received", "hbmk.clerk")  # Tuesday: 8 working hours later
    wait = visits(db, d)[2]
    assert (wait.left_at, wait.hours, wait.paused_hours) == (vn(2026, 12, 8, 9), 8.0, 8.0)
    assert d.paused_hours - paused_before == wait.paused_hours
    back = open_visit(d.id)
    assert (back.step_seq, back.step, back.due_at) == (3, "civil_status_check", d.step_due_at)
    assert back.remind_at is not None and (back.reminded_day, back.escalated) == (-1, 0)


def test_a_final_step_closes_the_last_visit_and_opens_none(db):
    h = History(db)
    d = h.receive("b", vn(2026, 12, 7, 8), "hbmk.clerk", BIRTH)
    h.through("b", "hbmk", vn(2026, 12, 7, 8, 10), vn(2026, 12, 7, 8, 20), vn(2026, 12, 7, 8, 30),
              vn(2026, 12, 7, 9))
    assert open_visit(d.id) is None
    assert [(v.step_seq, v.step, v.hours) for v in visits(db, d)] == [
        (0, "reception", 1 / 6), (1, "civil_status_check", 1 / 6), (2, "leader_sign", 1 / 6),
        (3, "result_at_desk", 0.5)]
    assert all(v.left_at is not None and v.due_at is None for v in visits(db, d))
