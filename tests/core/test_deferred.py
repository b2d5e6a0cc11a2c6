"""Writes deferred to the session's next statement (``core/deferred.py``): the step visits of a move.

On PostgreSQL a move's visit writes (and audit lines) wait in the session; these tests show they are never lost nor
read too early: a query sees them, a commit writes them, a rollback drops them, a savepoint begun
while they wait leaves them in the enclosing transaction, and the key's claim carries them.
"""
from contextlib import contextmanager

import pytest
from flask import Response
from sqlalchemy import event, func, select

from onestop.auth.models import User
from onestop.core import audit, deferred, submissions
from onestop.core.audit import AuditEntry
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action, receive_dossier
from onestop.dossiers.visits import StepVisit, open_visit
from tests.conftest import APPLICANT, COPY

pytestmark = pytest.mark.server


def _clerk(db) -> User:
    return db.session.scalar(select(User).where(User.username == "hbmk.clerk"))


def _visits(db, dossier_id: int) -> list[tuple[str, bool]]:
    rows = db.session.execute(select(StepVisit.step, StepVisit.left_at.is_(None)).where(
        StepVisit.dossier_id == dossier_id).order_by(StepVisit.step_seq)).all()
    return [(step, is_open) for step, is_open in rows]


@contextmanager
def _sent(db):
    statements = []

    def sent(conn, cursor, text, *rest):
        statements.append(text)

    event.listen(db.session.get_bind(), "before_cursor_execute", sent)
    try:
        yield statements
    finally:
        event.remove(db.session.get_bind(), "before_cursor_execute", sent)


def test_a_move_waits_for_the_next_statement_and_a_query_sends_it_first(db, create_dossier):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    perform_action(dossier, _clerk(db), "forward")
    assert deferred._PENDING in db.session.info  # nothing sent yet for the visits
    assert _visits(db, dossier.id) == [("reception", False), ("justice_check", True)]
    assert deferred._PENDING not in db.session.info


def test_the_claim_carries_the_writes_in_its_own_statement(db, create_dossier, app):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    perform_action(dossier, _clerk(db), "forward")
    with _sent(db) as statements, app.test_request_context("/x", method="POST"):
        assert submissions.claim_answered("k-carried", "user:1", "f", Response(status=302)) is None
    assert len(statements) == 1, statements
    sent = " ".join(statements[0].split())
    assert sent.startswith("WITH deferred_0 AS (UPDATE step_visits") and "deferred_1 AS (INSERT INTO step_visits" in sent
    assert "INSERT INTO submissions" in sent
    assert _visits(db, dossier.id) == [("reception", False), ("justice_check", True)]


def test_a_commit_writes_them_and_a_rollback_drops_them(db, create_dossier):
    kept, dropped = (create_dossier(clerk="hbmk.clerk", procedure=COPY) for _ in range(2))
    perform_action(kept, _clerk(db), "forward")
    db.session.commit()
    perform_action(dropped, _clerk(db), "forward")
    db.session.rollback()
    assert deferred._PENDING not in db.session.info
    assert _visits(db, kept.id) == [("reception", False), ("justice_check", True)]
    assert _visits(db, dropped.id) == [("reception", True)]
    assert db.session.get(Dossier, dropped.id).step == "reception"


def test_a_savepoint_begun_while_they_wait_does_not_take_them_with_its_rollback(db, create_dossier):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    perform_action(dossier, _clerk(db), "forward")
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.execute(select(1))
    savepoint.rollback()
    assert _visits(db, dossier.id) == [("reception", False), ("justice_check", True)]


def test_inside_a_savepoint_nothing_waits(db, create_dossier):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    with db.session.begin_nested():
        perform_action(dossier, _clerk(db), "forward")
        assert deferred._PENDING not in db.session.info
    assert _visits(db, dossier.id) == [("reception", False), ("justice_check", True)]


def test_two_moves_of_one_dossier_in_one_transaction_keep_one_open_visit(db, create_dossier, user):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    perform_action(dossier, _clerk(db), "forward")
    visit = open_visit(dossier.id)  # sends the first move's writes
    assert visit.step == "justice_check"
    officer = user("hbmk.officer")
    dossier.assignee = officer
    perform_action(dossier, officer, "forward")
    db.session.commit()
    assert _visits(db, dossier.id) == [("reception", False), ("justice_check", False), ("leader_sign", True)]


def test_an_audit_line_waits_too_and_the_next_query_reads_it(db):
    audit.record("test.deferred", actor_label="system", note="n")
    assert deferred._PENDING in db.session.info
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.kind == "test.deferred")) == 1


def test_many_writes_of_one_shape_wait_together_and_go_in_one_statement(db, create_dossier):
    """Nothing but flushes in between (dossiers received in a loop, lines of the trail, moves of
    several dossiers): the writes pile up and go at the commit in one statement, each with its own
    parameters."""
    clerk = _clerk(db)
    dossiers = [create_dossier(clerk="hbmk.clerk", procedure=COPY) for _ in range(3)]
    db.session.commit()
    for dossier in dossiers:
        perform_action(dossier, clerk, "forward")
    for n in range(3):
        audit.record("test.many", actor_label="system", note=f"n{n}")
    received = [receive_dossier(clerk, procedure_code=COPY, applicant=APPLICANT, documents=["original", "copy"])
                for _ in range(3)]
    assert len(db.session.info[deferred._PENDING]) >= 6
    db.session.commit()
    for dossier in dossiers:
        assert _visits(db, dossier.id) == [("reception", False), ("justice_check", True)]
    for dossier in received:
        assert _visits(db, dossier.id) == [("reception", True)]
    notes = db.session.scalars(select(AuditEntry.note).where(AuditEntry.kind == "test.many").order_by(AuditEntry.id))
    assert sorted(notes) == ["n0", "n1", "n2"]
