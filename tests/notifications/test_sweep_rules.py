"""Each reminder and escalation rule under a frozen clock, on real dates.

The land dossier (1.013978) is forwarded by Hồng Bàng's desk on Monday 7 Dec 2026 at 08:00 to the
district check: 44 working hours, due Monday 14 Dec at 13:30; 75 % of it (33 h) is Friday 11 Dec
09:00. Working day N overdue is 13:30 on the Nth working day after that.
"""
from datetime import date

import pytest
from sqlalchemy import select

from onestop.core import clock
from onestop.core.outbox import OutboxMessage
from onestop.core.tasks import Task
from onestop.core.workdays import CalendarOverride, forget_calendar
from onestop.dossiers.models import Dossier
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action, route
from onestop.dossiers.rules import ReminderRule, forget_rules
from onestop.dossiers.visits import open_visit
from onestop.notifications.sweep import sweep
from tests.conftest import COPY, LAND, vn


@pytest.fixture
def at_district(db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier()
        perform_action(dossier, user("hb.clerk"), "forward")
        route(dossier.id, dossier.step_seq)
        db.session.commit()
    assert dossier.assignee == user("hb.officer")
    return dossier


def run(db, *at):
    """Sweep at a local time (twice: the second must add nothing); the counts of the first."""
    with clock.frozen(vn(*at)):
        counts = sweep()
        again = sweep()
    assert not any(again.values()), again
    db.session.commit()
    return {kind: n for kind, n in counts.items() if n}


def state(dossier) -> tuple:
    """The reminder state of the dossier's open step visit: (remind_at, reminded_day, escalated)."""
    visit = open_visit(dossier.id)
    return visit.remind_at, visit.reminded_day, visit.escalated


def keys(db, dossier) -> list[str]:
    return sorted(db.session.scalars(select(Notification.key).where(
        Notification.dossier_id == dossier.id, Notification.kind != "assigned")))


def test_planned_thresholds(db, at_district):
    assert at_district.step_due_at == vn(2026, 12, 14, 13, 30)
    assert state(at_district)[0] == vn(2026, 12, 11, 9, 0)
    assert state(at_district)[1:] == (-1, 0)


def test_each_rule_fires_once_at_its_threshold(db, at_district, user):
    d, officer = at_district, user("hb.officer")
    seq = d.step_seq
    hb_leader, city_leader = user("hb.supervisor"), user("hp.supervisor")
    assert run(db, 2026, 12, 11, 8, 59) == {}
    assert run(db, 2026, 12, 11, 9, 0) == {"due_soon": 1}
    assert keys(db, d) == [f"due_soon:{d.id}:{seq}:75:{officer.id}"]

    assert run(db, 2026, 12, 14, 13, 29) == {}
    assert run(db, 2026, 12, 14, 13, 30) == {"due": 1}
    assert run(db, 2026, 12, 15, 13, 29) == {}
    assert run(db, 2026, 12, 15, 13, 30) == {"overdue": 1, "escalation": 1}
    assert run(db, 2026, 12, 16, 13, 30) == {"overdue": 1}
    assert run(db, 2026, 12, 17, 13, 29) == {}
    assert run(db, 2026, 12, 17, 13, 30) == {"overdue": 1, "escalation_parent": 1}
    assert run(db, 2026, 12, 18, 13, 30) == {"overdue": 1}
    # the weekend is no working day overdue: day 5 is Monday
    assert run(db, 2026, 12, 19, 16, 0) == {}
    assert run(db, 2026, 12, 20, 16, 0) == {}
    assert run(db, 2026, 12, 21, 13, 30) == {"overdue": 1}

    assert keys(db, d) == sorted([
        f"due_soon:{d.id}:{seq}:75:{officer.id}", f"due:{d.id}:{seq}:0:{officer.id}",
        *[f"overdue:{d.id}:{seq}:{n}:{officer.id}" for n in range(1, 6)],
        f"escalation:{d.id}:{seq}:1:{hb_leader.id}", f"escalation_parent:{d.id}:{seq}:3:{city_leader.id}"])
    recipients = dict(db.session.execute(select(Notification.kind, Notification.user_id).where(
        Notification.dossier_id == d.id, Notification.kind.in_(("escalation", "escalation_parent")))).all())
    assert recipients == {"escalation": hb_leader.id, "escalation_parent": city_leader.id}
    messages = db.session.scalars(select(Notification.message).where(Notification.dossier_id == d.id)).all()
    assert f"Hồ sơ {d.code}: quá hạn xử lý 5 ngày làm việc." in messages
    assert f"Hồ sơ {d.code} quá hạn xử lý 3 ngày làm việc tại Ủy ban nhân dân quận Hồng Bàng." in messages


def test_a_late_sweep_sends_the_latest_threshold_only(db, at_district, user):
    """The beat was down for days: the officer hears "3 days overdue", not also 75 %, due, 1 and 2 days."""
    d = at_district
    assert run(db, 2026, 12, 17, 15, 0) == {"overdue": 1, "escalation": 1, "escalation_parent": 1}
    assert [k.split(":")[0] + ":" + k.split(":")[3] for k in keys(db, d)] == [
        "escalation:1", "escalation_parent:3", "overdue:3"]
    db.session.expire_all()
    assert state(d) == (None, 3, 2)


def test_an_override_day_off_is_not_a_working_day_overdue(db, at_district):
    db.session.add(CalendarOverride(day=date(2026, 12, 16), is_working=False, note="Nghỉ do bão"))
    db.session.flush()
    forget_calendar()
    assert run(db, 2026, 12, 15, 13, 30) == {"overdue": 1, "escalation": 1}
    assert run(db, 2026, 12, 16, 13, 30) == {}  # the typhoon day off
    assert run(db, 2026, 12, 17, 13, 29) == {}
    assert run(db, 2026, 12, 17, 13, 30) == {"overdue": 1}  # day 2, not 3: no parent escalation yet
    forget_calendar()


def test_the_next_step_rearms_the_reminders(db, at_district, user):
    d = at_district
    run(db, 2026, 12, 15, 14, 0)
    first_seq = d.step_seq
    with clock.frozen(vn(2026, 12, 15, 14, 0)):
        perform_action(d, user("hb.officer"), "forward")  # on to the department (96 h), not yet routed
    db.session.commit()
    assert state(d)[1:] == (-1, 0) and state(d)[0] is not None
    # the department step (12 working days) is due Thursday 31 Dec 14:00; 1 Jan is New Year's Day, so one
    # working day overdue is Monday 4 Jan. Nobody is assigned: the supervisors still hear of it.
    assert d.step_due_at == vn(2026, 12, 31, 14, 0)
    assert run(db, 2027, 1, 4, 13, 59) == {}
    assert run(db, 2027, 1, 4, 14, 0) == {"escalation": 1}
    stnmt = user("stnmt.supervisor")
    assert db.session.scalar(select(Notification.key).where(Notification.user_id == stnmt.id)) == \
        f"escalation:{d.id}:{first_seq + 1}:1:{stnmt.id}"


def test_no_reminders_while_waiting_for_the_citizen(db, at_district, user):
    d = at_district
    with clock.frozen(vn(2026, 12, 10, 9, 0)):
        perform_action(d, user("hb.officer"), "request_supplement", note="Thiếu trích đo thửa đất")
    db.session.commit()
    assert state(d)[0] is None
    assert run(db, 2027, 1, 20, 9, 0) == {}
    assert keys(db, d) == []


def test_per_procedure_rules_and_the_global_row(db, at_district, create_dossier, user):
    """Land: remind at 50 %, escalate after 2 days, never to the parent; the copy procedure keeps the defaults."""
    db.session.add(ReminderRule(procedure_code=LAND, due_soon_percent=50, remind_overdue=False,
                                escalate_days=2, escalate_parent_days=None))
    db.session.flush()
    forget_rules()
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        land = create_dossier()
        perform_action(land, user("hb.clerk"), "forward")
        route(land.id, land.step_seq)
        db.session.commit()
    assert state(land)[0] == vn(2026, 12, 9, 15, 30)  # 22 h of 44
    assert state(at_district)[0] == vn(2026, 12, 11, 9, 0)  # planned before the rule: stays
    assert run(db, 2026, 12, 9, 15, 29) == {}
    assert run(db, 2026, 12, 9, 15, 30) == {"due_soon": 1}
    assert keys(db, land)[0].startswith(f"due_soon:{land.id}:{land.step_seq}:50:")
    # at 75 % the first land dossier's step is already due: superseded, not sent; no due reminder for land
    assert run(db, 2026, 12, 15, 13, 30) == {}
    # no due/overdue for land (remind_overdue off); escalation after 2 days, none to the parent
    assert run(db, 2026, 12, 16, 13, 30) == {"escalation": 2}
    assert run(db, 2026, 12, 21, 13, 30) == {}
    kinds = sorted(db.session.scalars(select(Notification.kind).where(
        Notification.dossier_id == land.id, Notification.kind != "assigned")))
    assert kinds == ["due_soon", "escalation"]

    db.session.add(ReminderRule(procedure_code=None, due_soon_percent=0, remind_overdue=True,
                                escalate_days=None, escalate_parent_days=None))
    db.session.flush()
    forget_rules()
    with clock.frozen(vn(2026, 12, 21, 8, 0)):
        copy = create_dossier(clerk="hbmk.clerk", procedure=COPY)  # reception: 2 h, by the clerk
        db.session.commit()
    assert state(copy)[0] is None  # the global rule turns the 75 % reminder off
    assert run(db, 2026, 12, 21, 10, 0) == {"due": 1}
    assert run(db, 2026, 12, 23, 10, 0) == {"overdue": 1}  # day 2; nobody escalated
    forget_rules()


def test_new_notifications_are_handed_to_the_mailer_in_batches(app, db, create_dossier, user, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_MAIL_BATCH", 2)
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossiers = [create_dossier(clerk="hbmk.clerk", procedure=COPY) for _ in range(3)]
    before = set(db.session.scalars(select(OutboxMessage.id)))
    assert run(db, 2026, 12, 7, 10, 0) == {"due": 3}
    batches = [m.payload["notification_ids"] for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.task == Task.SEND_NOTIFICATION_MAIL).order_by(OutboxMessage.id))
        if m.id not in before]
    assert [len(b) for b in batches] == [2, 1]
    mailed = set(db.session.scalars(select(Notification.dossier_id).where(
        Notification.id.in_([i for b in batches for i in b]))))
    assert mailed == {d.id for d in dossiers}
    # due_soon stays in-app only (ONESTOP_MAIL_KINDS)
    assert "due_soon" not in app.config["ONESTOP_MAIL_KINDS"]


def test_sweep_state_does_not_rescan(db, at_district):
    """After a sweep the dossier leaves every range the next sweep scans."""
    run(db, 2026, 12, 15, 14, 0)
    db.session.expire_all()
    d = db.session.get(Dossier, at_district.id)
    assert state(d) == (None, 1, 1)


def test_the_sweep_keeps_its_state_on_the_visit_and_writes_no_dossier(db, at_district, user):
    """Twice at the same instant: one reminder; the state is the open visit's, the dossier row untouched."""
    from sqlalchemy import event
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with clock.frozen(vn(2026, 12, 14, 14, 0)):  # the step is due (13:30)
            first, second = sweep(), sweep()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert {k: n for k, n in first.items() if n} == {"due": 1} and not any(second.values())
    assert state(at_district) == (None, 0, 0)
    assert any(s.lstrip().startswith("UPDATE step_visits") for s in statements)
    assert not [s for s in statements if s.lstrip().startswith("UPDATE dossiers")]
    assert keys(db, at_district) == [f"due:{at_district.id}:{at_district.step_seq}:0:{user('hb.officer').id}"]
