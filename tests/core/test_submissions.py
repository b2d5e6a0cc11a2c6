"""One-time submission keys: a double click or a replayed POST does its work once."""
from flask import g
from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.core.submissions import FIELD, Submission, new_key
from onestop.dossiers.models import Dossier, DossierEvent
from tests.desk.test_desk_views import VALID
from tests.race import race


def _client(app, username: str):
    client = app.test_client()
    from onestop.extensions import db
    user_id = db.session.scalar(select(User.id).where(User.username == username))
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def _dossiers(db, name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.applicant_name == name))


def test_a_triple_click_on_intake_makes_one_dossier(app, committed):
    data = {**VALID, "applicant_name": "Ba Lần Bấm", FIELD: new_key()}

    def post(client):
        response = client.post("/desk/new", data=data)
        g.pop("_login_user", None)
        return response.status_code, response.headers.get("Location")

    answers = race(app, committed, 3, lambda: _client(app, "hb.clerk"), post)
    assert all(not isinstance(a, BaseException) for a in answers), answers
    assert {status for status, _ in answers} <= {302, 303}
    assert len({location for _, location in answers}) == 1  # every click lands on the same receipt
    assert _dossiers(committed, "Ba Lần Bấm") == 1


def test_a_replayed_post_gives_the_first_answer_and_changes_nothing(client, login_as, db):
    login_as("hb.clerk")
    data = {**VALID, "applicant_name": "Gửi Lại", FIELD: new_key()}
    first = client.post("/desk/new", data=data)
    again = client.post("/desk/new", data=data)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert _dossiers(db, "Gửi Lại") == 1
    assert "đã được thực hiện" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_key_is_not_anyone_elses_and_not_for_another_request(client, login_as, db):
    key = new_key()
    login_as("hb.clerk")
    assert client.post("/desk/new", data={**VALID, "applicant_name": "Khóa Một", FIELD: key}).status_code == 302
    other = client.post("/desk/new", data={**VALID, "applicant_name": "Khóa Hai", FIELD: key})
    assert other.status_code == 200 and "Biểu mẫu này đã được dùng" in other.get_data(as_text=True)
    login_as("hb.officer")
    stolen = client.post(f"/dossiers/{db.session.scalar(select(Dossier.id))}/action",
                         data={"action": "forward", FIELD: key})
    assert stolen.status_code in (404, 422)
    assert _dossiers(db, "Khóa Hai") == 0


def test_a_refused_verb_gives_its_key_back(client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.officer")  # the desk holds it: the officer cannot forward it
    key = new_key()
    refused = client.post(f"/dossiers/{dossier.id}/action", data={"action": "forward", FIELD: key})
    assert refused.status_code == 422
    assert db.session.get(Submission, key) is None
    login_as("hb.clerk")
    done = client.post(f"/dossiers/{dossier.id}/action", data={"action": "forward", FIELD: key})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.action == "forward")) == 1
