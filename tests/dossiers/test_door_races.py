"""Every verb goes through the door: two people (or a double click) doing it at the same moment do it once.

Each test releases two threads together on the same dossier, each in its own session as two requests
would be, and checks that exactly one wins, the other is refused with a reason (never a database error),
and the record shows one change. Without the door's row lock, both read the state before the other's
change and both win (PostgreSQL; on SQLite every transaction holds the write lock from its start).
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.attachments.models import Attachment
from onestop.attachments.operations import add_attachment, remove_attachment
from onestop.auth.models import User
from onestop.consultations.models import Consultation
from onestop.consultations.operations import answer_consultation, request_consultation
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import assign, perform_action, route
from onestop.extension_requests.models import DossierExtension, ExtensionStatus
from onestop.extension_requests.operations import approve_extension, reject_extension, request_extension
from tests.conftest import COPY, vn
from tests.race import race

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(db, username: str) -> User:
    found = db.session.scalar(select(User).where(User.username == username))
    found.agency  # noqa: B018  (loaded before the race)
    return found


def _outcome(db, work) -> str:
    try:
        work()
    except OperationError:
        db.session.rollback()
        return "refused"
    db.session.commit()
    return "done"


def _events(db, dossier_id: int, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier_id, DossierEvent.action == action))


@pytest.fixture
def at_ward(committed, create_dossier):
    """A certification of copies at the Minh Khai ward, assigned to its officer, due Tue 8 Dec 08:00."""
    db = committed
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
        perform_action(dossier, _user(db, "hbmk.clerk"), "forward")
        route(dossier.id, dossier.step_seq)
        db.session.commit()
    return dossier.id


def _both(app, db, load, work) -> list[str]:
    with clock.frozen(vn(2026, 12, 7, 16, 30)):
        outcomes = race(app, db, 2, load, lambda loaded: _outcome(db, lambda: work(loaded)))
    assert all(isinstance(o, str) for o in outcomes), outcomes  # no thread met a database error
    return sorted(outcomes)


def test_two_extension_requests_make_one(app, committed, at_ward):
    db = committed

    def load():
        return db.session.get(Dossier, at_ward), _user(db, "hbmk.officer")

    def ask(loaded):
        dossier, officer = loaded
        request_extension(dossier, officer, reason="Chưa ký số được.", new_date=date(2026, 12, 10))

    assert _both(app, db, load, ask) == ["done", "refused"]
    assert db.session.scalar(select(func.count()).select_from(DossierExtension)) == 1


@pytest.fixture
def requested(committed, at_ward):
    db = committed
    with clock.frozen(vn(2026, 12, 7, 16, 30)):
        request_extension(db.session.get(Dossier, at_ward), _user(db, "hbmk.officer"), reason="Chưa ký số được.",
                          new_date=date(2026, 12, 10))
        db.session.commit()
    return at_ward


def test_a_double_approval_extends_once(app, committed, requested):
    db = committed

    def load():
        return db.session.scalar(select(DossierExtension)), _user(db, "hbmk.supervisor")

    assert _both(app, db, load, lambda loaded: approve_extension(*loaded)) == ["done", "refused"]
    assert _events(db, requested, "extend") == 1


def test_approve_and_reject_from_two_tabs_decide_once_and_agree(app, committed, requested):
    db = committed
    before = db.session.get(Dossier, requested).due_at
    turn = iter(["approve", "reject"])

    def load():
        return next(turn), db.session.scalar(select(DossierExtension)), _user(db, "hbmk.supervisor")

    def decide(loaded):
        which, extension, supervisor = loaded
        if which == "approve":
            approve_extension(extension, supervisor)
        else:
            reject_extension(extension, supervisor, "Không có căn cứ.")

    assert _both(app, db, load, decide) == ["done", "refused"]
    db.session.expire_all()
    extension, dossier = db.session.scalar(select(DossierExtension)), db.session.get(Dossier, requested)
    moved = dossier.due_at != before
    assert moved == (extension.status == ExtensionStatus.APPROVED) == (_events(db, requested, "extend") == 1)


def test_two_requests_for_the_same_opinion_make_one(app, committed, at_ward):
    db = committed

    def load():
        return (db.session.get(Dossier, at_ward), _user(db, "hbmk.officer"),
                db.session.scalar(select(Agency).where(Agency.code == "HB")))

    def consult(loaded):
        dossier, officer, agency = loaded
        request_consultation(dossier, officer, agency, "Xin ý kiến về bản chính.")

    assert _both(app, db, load, consult) == ["done", "refused"]
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 1


def test_a_double_answer_answers_once(app, committed, at_ward):
    db = committed
    request_consultation(db.session.get(Dossier, at_ward), _user(db, "hbmk.officer"),
                         db.session.scalar(select(Agency).where(Agency.code == "HB")), "Xin ý kiến về bản chính.")
    db.session.commit()

    def load():
        return db.session.scalar(select(Consultation)), _user(db, "hb.officer")

    assert _both(app, db, load, lambda loaded: answer_consultation(*loaded, "Đồng ý.")) == ["done", "refused"]
    assert _events(db, at_ward, "consult_answer") == 1


def test_a_double_removal_removes_once(app, committed, at_ward):
    db = committed
    add_attachment(db.session.get(Dossier, at_ward), _user(db, "hbmk.officer"), filename="a.pdf", data=PDF)
    db.session.commit()

    def load():
        return db.session.scalar(select(Attachment)), _user(db, "hbmk.officer")

    assert _both(app, db, load, lambda loaded: remove_attachment(*loaded)) == ["done", "refused"]
    assert _events(db, at_ward, "detach") == 1


def test_a_file_cannot_be_added_to_a_dossier_closed_meanwhile(app, committed, at_ward):
    """The officer refuses the dossier while the desk attaches a scan: the file is refused if it
    comes second, never added to a closed dossier."""
    db = committed
    turn = iter(["refuse", "attach"])

    def load():
        return next(turn), db.session.get(Dossier, at_ward), _user(db, "hbmk.officer"), _user(db, "hbmk.clerk")

    def work(loaded):
        which, dossier, officer, clerk = loaded
        if which == "refuse":
            perform_action(dossier, officer, "refuse", note="Bản chính không hợp lệ.")
        else:
            add_attachment(dossier, clerk, filename="scan.pdf", data=PDF)

    _both(app, db, load, work)
    db.session.expire_all()
    dossier = db.session.get(Dossier, at_ward)
    attached = db.session.scalar(select(Attachment))
    assert not dossier.is_open
    if attached is not None:
        attach = db.session.scalar(select(DossierEvent).where(DossierEvent.action == "attach"))
        refuse = db.session.scalar(select(DossierEvent).where(DossierEvent.action == "refuse"))
        assert attach.id < refuse.id  # attached while it was still open


def test_a_reassignment_cannot_give_a_dossier_that_moved_on_to_someone_of_the_old_agency(app, committed, create_dossier):
    """The district's officer sends the land dossier to the department while the district's supervisor
    reassigns it: the dossier must never end up held by the department and assigned to the district."""
    db = committed
    dossier = create_dossier()
    perform_action(dossier, _user(db, "hb.clerk"), "forward")
    route(dossier.id, dossier.step_seq)
    db.session.commit()
    dossier_id = dossier.id
    turn = iter(["forward", "assign"])

    def load():
        return next(turn), db.session.get(Dossier, dossier_id), _user(db, "hb.officer"), _user(db, "hb.supervisor")

    def work(loaded):
        which, dossier, officer, supervisor = loaded
        if which == "forward":
            perform_action(dossier, officer, "forward")
        else:
            assign(dossier, supervisor, officer, note="Giao lại")

    assert _both(app, db, load, work) in (["done", "done"], ["done", "refused"])
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier_id)
    assert dossier.holder_agency.code == "STNMT"
    assert dossier.assignee is None or dossier.assignee.agency_id == dossier.holder_agency_id
