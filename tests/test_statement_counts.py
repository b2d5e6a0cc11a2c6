"""How many SQL statements the two busiest writes make: a desk's intake and an officer's action.

A count is deterministic where a time is not, so these budgets keep the write path from growing
back (the caches of ``core/versions.py``, the one locked load of ``dossiers/door.py``, the one
UPDATE of the move, the submission key claimed with its answer in one INSERT). Each measured
request starts as a request of its own does in production: an empty session and nothing kept in
``g``; the caches per process are warm, as they are after a worker's first request.

PostgreSQL and SQLite make the same statements (the row lock is the same SELECT with ``FOR
UPDATE``). The commit is counted apart.
"""
import secrets
from contextlib import contextmanager

from flask import g
from sqlalchemy import event, select

from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import route
from tests.conftest import COPY, LAND, vn

#: the user with the agency and the caches' stamps, the daily sequence, the dossier, its history
#: line, the submission key with its answer
INTAKE_BUDGET = 5
#: an intake whose procedure assesses fees writes the assessment too
INTAKE_WITH_FEES_BUDGET = 6
#: the user, the dossier with its lock, its UPDATE, its history line, the worker's outbox row, the key
ACTION_BUDGET = 6
#: the step visits, counted apart from the budgets above (which were set before the visits were
#: kept): an intake opens one (INSERT); a move reads the open one, closes it and opens the next
INTAKE_VISITS = 1
MOVE_VISITS = 3

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
    def visits(self) -> list[str]:
        return [s for s in self.all if "step_visits" in s.split(" WHERE ")[0]]

    @property
    def statements(self) -> list[str]:
        """Every statement but those of the step visits."""
        return [s for s in self.all if s not in self.visits]

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


def test_an_intake_makes_five_statements_besides_its_visit_and_one_commit(client, login_as, db):
    login_as("hbmk.clerk")
    counted = _intake_twice(client, db, BIRTH)
    assert len(counted.statements) <= INTAKE_BUDGET, str(counted)
    assert len(counted.visits) == INTAKE_VISITS, str(counted)
    assert counted.commits == 1


def test_an_intake_with_fees_adds_only_the_assessment(client, login_as, db):
    login_as("hb.clerk")
    counted = _intake_twice(client, db, LAND_FORM)
    assert len(counted.statements) <= INTAKE_WITH_FEES_BUDGET, str(counted)
    assert counted.commits == 1


def test_an_action_makes_six_statements_besides_the_visits_and_one_commit(client, login_as, db, create_dossier):
    first, second = (create_dossier(clerk="hbmk.clerk", procedure=COPY).id for _ in range(2))
    login_as("hbmk.clerk")
    _post(client, db, f"/dossiers/{first}/action", {"action": "forward", "note": ""})
    clerk = _post(client, db, f"/dossiers/{second}/action", {"action": "forward", "note": ""})
    assert len(clerk.statements) <= ACTION_BUDGET, str(clerk)
    assert len(clerk.visits) <= MOVE_VISITS, str(clerk)
    assert clerk.commits == 1

    routed = db.session.get(Dossier, second)
    route(routed.id, routed.step_seq)  # the worker gives it to the ward's officer
    login_as("hbmk.officer")
    officer = _post(client, db, f"/dossiers/{second}/action", {"action": "forward", "note": ""})
    assert len(officer.statements) <= ACTION_BUDGET, str(officer)
    assert len(officer.visits) <= MOVE_VISITS, str(officer)
    assert officer.commits == 1
    assert sum(s.lstrip().upper().startswith("UPDATE DOSSIERS") for s in officer.statements) == 1
    moved = db.session.scalar(select(Dossier).where(Dossier.id == second))
    assert moved.step == "leader_sign"
