"""How many SQL statements the busiest writes make: a desk's intake, an officer's action, an API filing.

A count is deterministic where a time is not, so these budgets keep the write path from growing
back (the caches of ``core/versions.py``, the one locked load of ``dossiers/door.py`` with the open
visit joined, the one UPDATE of the move, the step visits' writes carried by the submission key's
claim, which is written with its answer in one INSERT, the dossier numbered by its own INSERT).
Each measured request starts as a request of its own does in production: an empty session and
nothing kept in ``g``; the caches per process are warm, as they are after a worker's first request.

Every statement counts, the step visits' included. SQLite has no data-modifying ``WITH``
(``core/deferred.py``) and no trigger numbers its dossiers (``dossiers/codes.py``): there the
visits' writes and the daily number are statements of their own, counted apart. The commit is
counted apart.
"""
import secrets
from contextlib import contextmanager

import pytest
from flask import g
from sqlalchemy import event, select

from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import route
from tests.conftest import COPY, LAND, vn

#: the user with the agency and the caches' stamps, the dossier (numbered by its own INSERT), its
#: history line, the submission key with its answer (and the visit opened)
INTAKE_BUDGET = 4
#: an intake whose procedure assesses fees writes the assessment too
INTAKE_WITH_FEES_BUDGET = 5
#: the user, the dossier with its lock and its open visit, its UPDATE, its history line, the worker's
#: outbox row, the key (and the visit closed and the next opened)
ACTION_BUDGET = 6
#: on SQLite, the statements PostgreSQL folds into others: an intake's daily number and its visit's
#: INSERT; a move's visit UPDATE and INSERT
SQLITE_INTAKE_APART = 2
SQLITE_MOVE_APART = 2
#: an application filed through the API: the client by its token (with the stamps), the application
#: under a free reference, its files, the key with its answer (carrying the audit line)
API_APPLICATION_BUDGET = 4

BIRTH = {
    "procedure_code": "1.001193", "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
    "applicant_phone": "0987654321", "applicant_address": "5 Lê Lợi, Máy Tơ, Ngô Quyền",
    "documents": ["declaration", "birth_notice"], "delivery_method": "desk",
    "detail_child_name": "Trần Minh Khang", "detail_child_sex": "Nam", "detail_child_birth_date": "02/12/2026",
    "detail_child_birth_place": "Bệnh viện Phụ sản Hải Phòng",
}
LAND_FORM = {
    "procedure_code": LAND, "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
    "applicant_phone": "0987654321", "applicant_address": "5 Lạch Tray, Ngô Quyền, Hải Phòng",
    "documents": ["application", "land_papers", "cadastral_extract", "fee_declaration"],
    "detail_parcel_number": "125", "detail_map_sheet": "14", "detail_area": "86,5", "delivery_method": "desk",
}


class Counted:
    def __init__(self):
        self.all: list[str] = []
        self.commits = 0

    @property
    def apart(self) -> list[str]:
        """The statements SQLite sends on their own: the step visits', the daily number's."""
        return [s for s in self.all if s.lstrip().upper().startswith(
            ("INSERT INTO STEP_VISITS", "UPDATE STEP_VISITS", "INSERT INTO DAILY_SEQUENCES"))]

    def within(self, budget: int, sqlite_apart: int, db) -> bool:
        """All of them within ``budget``; on SQLite, those it sends apart within ``sqlite_apart`` besides."""
        if db.session.get_bind().dialect.name == "postgresql":
            return not self.apart and len(self.all) <= budget
        return len(self.apart) <= sqlite_apart and len(self.all) - len(self.apart) <= budget

    def __str__(self) -> str:
        return "\n".join(s.split("\n")[0][:160] for s in self.all)


@contextmanager
def counting(db):
    """Count what the session sends (savepoints of the test's own transaction aside) and its commits."""
    counted = Counted()

    def statement(conn, cursor, text, params, context, executemany):
        if not text.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            counted.all.append(text)

    def committed(session):
        counted.commits += 1

    bind = db.session.get_bind()
    session = db.session()
    event.listen(bind, "before_cursor_execute", statement)
    event.listen(session, "after_commit", committed)
    try:
        yield counted
    finally:
        event.remove(bind, "before_cursor_execute", statement)
        event.remove(session, "after_commit", committed)


def _fresh(db) -> None:
    """What a new request starts with: an empty session and an empty ``g``."""
    db.session.commit()
    db.session.expunge_all()
    for name in list(g):
        g.pop(name)


def _post(client, db, url: str, data: dict) -> Counted:
    _fresh(db)
    with counting(db) as counted:
        response = client.post(url, data={**data, "_once": secrets.token_urlsafe(16)})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    return counted


def _intake_twice(client, db, form: dict) -> Counted:
    with clock.frozen(vn(2026, 12, 7, 9, 0)):
        _post(client, db, "/desk/new", form)  # the worker's first request fills its caches
        return _post(client, db, "/desk/new", {**form, "applicant_id_number": "031190004322"})


def test_an_intake_makes_four_statements_and_one_commit(client, login_as, db):
    login_as("hbmk.clerk")
    counted = _intake_twice(client, db, BIRTH)
    assert counted.within(INTAKE_BUDGET, SQLITE_INTAKE_APART, db), str(counted)
    assert any("step_visits" in s for s in counted.all), str(counted)  # the visit is written
    assert counted.commits == 1


def test_an_intake_with_fees_adds_only_the_assessment(client, login_as, db):
    login_as("hb.clerk")
    counted = _intake_twice(client, db, LAND_FORM)
    assert counted.within(INTAKE_WITH_FEES_BUDGET, SQLITE_INTAKE_APART, db), str(counted)
    assert counted.commits == 1


def test_an_action_makes_six_statements_and_one_commit(client, login_as, db, create_dossier):
    first, second = (create_dossier(clerk="hbmk.clerk", procedure=COPY).id for _ in range(2))
    login_as("hbmk.clerk")
    _post(client, db, f"/dossiers/{first}/action", {"action": "forward", "note": ""})
    clerk = _post(client, db, f"/dossiers/{second}/action", {"action": "forward", "note": ""})
    assert clerk.within(ACTION_BUDGET, SQLITE_MOVE_APART, db), str(clerk)
    assert clerk.commits == 1

    routed = db.session.get(Dossier, second)
    route(routed.id, routed.step_seq)  # the worker gives it to the ward's officer
    login_as("hbmk.officer")
    officer = _post(client, db, f"/dossiers/{second}/action", {"action": "forward", "note": ""})
    assert officer.within(ACTION_BUDGET, SQLITE_MOVE_APART, db), str(officer)
    assert officer.commits == 1
    assert sum(s.lstrip().upper().startswith("UPDATE DOSSIERS") for s in officer.all) == 1
    moved = db.session.scalar(select(Dossier).where(Dossier.id == second))
    assert moved.step == "leader_sign"


@pytest.mark.server  # on SQLite the audit line and each file are statements of their own
def test_an_application_through_the_api_makes_four_statements_and_one_commit(client, db):
    from tests.api.helpers import application_body, auth, make_client

    _, token = make_client()
    counts = []
    for n in range(2):  # the first call fills the caches
        _fresh(db)
        with counting(db) as counted:
            answer = client.post("/api/v1/applications", json=application_body(),
                                 headers=auth(token, **{"Idempotency-Key": f"count-{n}"}))
        assert answer.status_code == 201, answer.json
        counts.append(counted)
    counted = counts[-1]
    assert len(counted.all) <= API_APPLICATION_BUDGET, str(counted)
    assert counted.commits == 1
