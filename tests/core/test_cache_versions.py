"""The caches per process (calendar overrides, reminder rules, the agency tree) and their stamps:
a change written anywhere is seen on the next request, a change rolled back is forgotten."""
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update

from onestop.agencies.models import Agency
from onestop.core.versions import CacheVersion, ProcessCache, version
from onestop.core.workdays import CalendarOverride, current_calendar
from onestop.dossiers.rules import ReminderRule, current_rules
from onestop.workflows.holders import AgencyTree

DAY = date(2031, 3, 4)  # a Tuesday: a working day unless an override says otherwise
PROCEDURE = "2.000815"


def _request(app, read):
    """What ``read`` answers in a request of its own (the stamps are read afresh at its start)."""
    from onestop.extensions import db

    with app.test_request_context("/"):
        app.preprocess_request()
        try:
            return read()
        finally:
            db.session.rollback()  # as the end of a request does: no transaction (nor SQLite lock) kept


def _stamp(connection, name: str) -> str:
    return connection.execute(text("SELECT version FROM cache_versions WHERE name = :n"), {"n": name}).scalar()


CASES = {
    "calendar": (
        lambda: current_calendar().is_working_day(DAY),
        "INSERT INTO calendar_overrides (day, is_working, note, created_at)"
        " VALUES (:day, :false, 'x', :now)",
        "DELETE FROM calendar_overrides WHERE day = :day",
        (True, False)),
    "reminder_rules": (
        lambda: current_rules().for_procedure(PROCEDURE).due_soon_percent,
        "INSERT INTO reminder_rules (procedure_code, due_soon_percent, remind_overdue, created_at)"
        " VALUES ('2.000815', 40, :true, :now)",
        "DELETE FROM reminder_rules WHERE procedure_code = '2.000815'",
        (75, 40)),
    "agencies": (
        lambda: AgencyTree.current().by_code["HBMK"].name,
        "UPDATE agencies SET name = 'Phường Minh Khai (mới)' WHERE code = 'HBMK'",
        "UPDATE agencies SET name = 'Ủy ban nhân dân phường Minh Khai' WHERE code = 'HBMK'",
        ("Ủy ban nhân dân phường Minh Khai", "Phường Minh Khai (mới)")),
}


@pytest.mark.parametrize("name", CASES)
def test_a_change_written_by_another_worker_is_seen_on_the_next_request(app, committed, name):
    read, change, undo, (before, after) = CASES[name]
    db = committed
    db.session.rollback()
    params = {"day": DAY, "false": False, "true": True, "now": "2026-12-01 00:00:00"}
    assert _request(app, read) == before
    assert _request(app, read) == before  # kept: the second request reads nothing but the stamps
    with db.engine.begin() as other:  # another worker: its change and a new stamp, in one transaction
        other.execute(text(change), params)
        other.execute(text("UPDATE cache_versions SET version = 'changed-elsewhere' WHERE name = :n"), {"n": name})
    try:
        assert _request(app, read) == after
    finally:
        with db.engine.begin() as other:
            other.execute(text(undo), params)
            other.execute(text("UPDATE cache_versions SET version = 'undone-elsewhere' WHERE name = :n"), {"n": name})
    assert _request(app, read) == before


def test_an_orm_change_writes_a_new_stamp_in_its_transaction(app, db):
    old = _stamp(db.session.connection(), "calendar")
    db.session.add(CalendarOverride(day=DAY, is_working=False, note="nghỉ bù"))
    db.session.flush()
    new = _stamp(db.session.connection(), "calendar")
    assert new != old and version("calendar") == new  # this request sees its own change at once
    assert not current_calendar().is_working_day(DAY)
    db.session.execute(update(CalendarOverride).where(CalendarOverride.day == DAY).values(is_working=True))
    assert _stamp(db.session.connection(), "calendar") not in (old, new)  # a bulk UPDATE changes it too


def test_an_untouched_row_and_an_ignored_table_leave_the_stamp(db):
    old = {v.name: v.version for v in db.session.scalars(select(CacheVersion))}
    agency = db.session.scalar(select(Agency).where(Agency.code == "HBMK"))
    agency.name = agency.name  # no change
    db.session.flush()
    assert {v.name: v.version for v in db.session.scalars(select(CacheVersion))} == old


def test_a_change_rolled_back_is_forgotten(app, committed):
    db = committed
    assert _request(app, lambda: current_rules().for_procedure(PROCEDURE).due_soon_percent) == 75
    with app.test_request_context("/"):
        app.preprocess_request()
        db.session.add(ReminderRule(procedure_code=PROCEDURE, due_soon_percent=30, remind_overdue=True))
        db.session.flush()
        assert current_rules().for_procedure(PROCEDURE).due_soon_percent == 30  # cached with the new stamp…
        db.session.rollback()  # …which the rollback takes back: no later stamp can be equal to it
    assert _request(app, lambda: current_rules().for_procedure(PROCEDURE).due_soon_percent) == 75
    db.session.execute(delete(ReminderRule).where(ReminderRule.procedure_code == PROCEDURE))
    db.session.commit()


@pytest.mark.parametrize("held", [True, False], ids=["held", "not-yet-loaded"])
def test_a_change_not_yet_flushed_and_rolled_back_is_forgotten(app, committed, held):
    """The stamps are read early in a request; a change pending in the session is flushed before
    the cache is read, so the request sees it under the stamp the flush wrote, and a rollback
    takes both back (whether the cache held the tree already or loads it then)."""
    db = committed
    tree = ProcessCache("agencies", AgencyTree.load)
    if held:
        assert _request(app, lambda: tree.get().by_code["HBMK"].active)
    with app.test_request_context("/"):
        app.preprocess_request()
        version("agencies")
        agency = db.session.scalar(select(Agency).where(Agency.code == "HBMK"))
        agency.active = False
        assert not tree.get().by_code["HBMK"].active
        db.session.rollback()
    assert _request(app, lambda: tree.get().by_code["HBMK"].active)
