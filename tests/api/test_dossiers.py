"""Interconnected hand-over (received on the interconnection channel, the sender's reference once)
and a dossier's status through the API, scoped as a supervisor of the client's agency is."""
import pytest
from sqlalchemy import func, select

from onestop.api.models import Handover
from onestop.attachments.models import Attachment
from onestop.auth.models import User
from onestop.dossiers.models import Channel, Dossier
from onestop.dossiers.operations import perform_action
from tests.api.helpers import auth, b64, handover_body, make_client
from tests.race import race

URL = "/api/v1/dossiers"


def test_a_handed_over_dossier_is_received_on_the_interconnection_channel(client, db):
    api_client, token = make_client(name="Một cửa tỉnh Quảng Ninh")
    body = handover_body(files=[{"document": "declaration", "filename": "To khai.pdf", "content": b64()}])
    answer = client.post(URL, json=body, headers=auth(token))
    assert answer.status_code == 201, answer.json
    out = answer.json
    assert out["channel"] == "interconnection" and out["status"] == "processing"
    assert out["sender_reference"] == "QNI-2026-000123" and out["receiving_agency"]["code"] == "HBMK"
    assert out["step"]["key"] == "reception" and out["holder"] == {"code": "HBMK", "name": out["holder"]["name"],
                                                                   "external": False}
    assert [h["action"] for h in out["history"]] == ["receive"]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == out["code"]))
    assert dossier.channel == Channel.INTERCONNECTION and dossier.assignee_id is None  # the desk's queue
    assert dossier.received_by_id == api_client.account_id and "QNI-2026-000123" in dossier.note
    files = db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)).all()
    assert [(f.document, f.filename) for f in files] == [("declaration", "To khai.pdf")]
    clerk = db.session.scalar(select(User).where(User.username == "hbmk.clerk"))
    perform_action(dossier, clerk, "forward")  # the desk's clerks work it as any other
    assert dossier.step == "civil_status_check"


def test_the_same_reference_twice_is_refused_with_the_first_dossier(client, db):
    _, token = make_client()
    first = client.post(URL, json=handover_body(), headers=auth(token)).json
    again = client.post(URL, json=handover_body(note="Gửi lại"), headers=auth(token))
    assert again.status_code == 409 and again.json["code"] == "duplicate_reference"
    assert again.json["dossier_code"] == first["code"]
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
    _, other = make_client(name="Hệ thống khác")  # references are per sender
    assert client.post(URL, json=handover_body(), headers=auth(other)).status_code == 201


@pytest.mark.parametrize("change, field", [
    ({"sender_reference": ""}, "sender_reference"), ({"sender_reference": "x" * 101}, "sender_reference"),
    ({"documents": ["declaration", "Khai Sinh"]}, "documents.1"), ({"note": "a\x00b"}, "note"),
    ({"files": [{"filename": "a.pdf", "content": "@@@@"}]}, "files.0.content"),
])
def test_bad_hand_overs_are_field_errors(client, db, change, field):
    _, token = make_client()
    answer = client.post(URL, json=handover_body(**change), headers=auth(token))
    assert answer.status_code == 422 and field in {e["field"] for e in answer.json["errors"]}, answer.json
    assert db.session.scalar(select(func.count()).select_from(Handover)) == 0


def test_a_refused_hand_over_keeps_nothing_not_even_the_reference(client, db):
    _, token = make_client()
    refused = client.post(URL, json=handover_body(documents=["no_such_document"]), headers=auth(token))
    assert refused.status_code == 422 and refused.json["code"] == "refused"
    assert db.session.scalar(select(func.count()).select_from(Handover)) == 0
    assert client.post(URL, json=handover_body(), headers=auth(token)).status_code == 201


def test_status_is_scoped_to_the_clients_subtree(client, db):
    _, token = make_client("HB", name="Quận Hồng Bàng")
    code = client.post(URL, json=handover_body(), headers=auth(token)).json["code"]
    seen = client.get(f"{URL}/{code}", headers=auth(token))
    assert seen.status_code == 200 and seen.json["code"] == code and seen.json["due_at"]
    assert client.get(f"{URL}/{code.lower()}", headers=auth(token)).status_code == 200
    _, outside = make_client("NQ", name="Quận Ngô Quyền")
    assert client.get(f"{URL}/{code}", headers=auth(outside)).status_code == 404  # as unknown: no hint
    assert client.get(f"{URL}/HB-000000-0000", headers=auth(token)).status_code == 404


@pytest.mark.server
def test_two_hand_overs_of_one_reference_at_once_make_one_dossier(app, committed):
    _, token = make_client()

    def post(test_client):
        answer = test_client.post(URL, json=handover_body("RACE-1"), headers=auth(token))
        return answer.status_code

    answers = race(app, committed, 4, app.test_client, post)
    assert sorted(answers) == [201, 409, 409, 409], answers
    assert committed.session.scalar(select(func.count()).select_from(Dossier).where(
        Dossier.channel == Channel.INTERCONNECTION)) == 1


@pytest.mark.server
def test_one_hand_over_sent_four_times_with_its_key_answers_the_first_dossier_to_all(app, committed):
    """The same call again (a retry that overlaps the first): the sender's reference makes the
    others wait for the first, whose key then gives them its answer rather than a refusal."""
    _, token = make_client()

    def post(test_client):
        answer = test_client.post(URL, json=handover_body("RACE-2"), headers=auth(token, **{"Idempotency-Key": "ho-2"}))
        return answer.status_code, answer.get_data()

    answers = race(app, committed, 4, app.test_client, post)
    assert [status for status, _ in answers] == [201] * 4, answers
    assert len({body for _, body in answers}) == 1
    assert committed.session.scalar(select(func.count()).select_from(Dossier).where(
        Dossier.channel == Channel.INTERCONNECTION)) == 1


def test_a_hand_over_may_name_the_competent_unit(client, db):
    """Reception regardless of boundary through the API: received by Minh Khai's desk for ward An Biên."""
    _, token = make_client()
    answer = client.post(URL, json=handover_body(competent_agency="LCAB"), headers=auth(token))
    assert answer.status_code == 201, answer.json
    assert answer.json["competent_agency"]["code"] == "LCAB" and answer.json["receiving_agency"]["code"] == "HBMK"
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == answer.json["code"]))
    perform_action(dossier, db.session.scalar(select(User).where(User.username == "hbmk.clerk")), "forward")
    assert dossier.holder_agency.code == "LCAB"
    unknown = client.post(URL, json=handover_body("QNI-2", competent_agency="NOWHERE"), headers=auth(token))
    assert unknown.status_code == 422 and "competent_agency" in str(unknown.json), unknown.json
    desk_only = client.post(URL, json=handover_body("QNI-3", competent_agency="STP"), headers=auth(token))
    assert desk_only.status_code == 422, desk_only.json
    assert db.session.scalar(select(func.count()).select_from(Handover)) == 1, "a refusal claims no reference"
