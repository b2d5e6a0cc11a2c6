"""Online applications through the API: filed as the web form files them, once per key, refused
with field errors and nothing written, and their decision read back."""
import base64
from pathlib import Path

import pytest
from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.online.models import OnlineApplication, OnlineApplicationFile
from onestop.online.operations import accept_online_application, refuse_online_application
from tests.api.helpers import PDF, application_body, auth, b64, make_client
from tests.race import race

URL = "/api/v1/applications"


def counts(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(OnlineApplication)),
            db.session.scalar(select(func.count()).select_from(OnlineApplicationFile)))


def stored_files(app) -> set[Path]:
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_an_application_is_filed_with_its_files_and_waits_at_the_desk(app, client, db):
    _, token = make_client()
    answer = client.post(URL, json=application_body(), headers=auth(token))
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["reference"].startswith("TT-") and body["status"] == "submitted" and body["dossier_code"] is None
    assert body["desk"]["code"] == "HBMK" and body["documents"] == ["birth_notice", "declaration"]
    assert answer.headers["Location"] == f"{URL}/{body['reference']}"
    row = db.session.scalar(select(OnlineApplication).where(OnlineApplication.reference == body["reference"]))
    assert row.applicant_name == "Trần Thị Bình" and len(row.files) == 2
    assert {f.filename for f in row.files} == {"Tờ khai.pdf", "Giấy chứng sinh.pdf"}


def test_the_same_key_and_body_answer_the_same_and_file_once(client, db):
    _, token = make_client()
    headers = auth(token, **{"Idempotency-Key": "portal-0001"})
    first = client.post(URL, json=application_body(), headers=headers)
    again = client.post(URL, json=application_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data() and again.headers["Idempotent-Replayed"] == "true"
    assert counts(db) == (1, 2)


def test_the_same_key_with_another_body_or_by_another_client_is_refused(client, db):
    _, token = make_client(name="Một")
    _, other = make_client(name="Hai")
    headers = auth(token, **{"Idempotency-Key": "portal-0002"})
    assert client.post(URL, json=application_body(), headers=headers).status_code == 201
    changed = application_body(delivery_method="post")
    reused = client.post(URL, json=changed, headers=headers)
    assert reused.status_code == 409 and reused.json["code"] == "idempotency_key_reused"
    stolen = client.post(URL, json=application_body(), headers=auth(other, **{"Idempotency-Key": "portal-0002"}))
    assert stolen.status_code == 409
    assert counts(db) == (1, 2)


def test_a_malformed_idempotency_key_is_refused(client, db):
    _, token = make_client()
    answer = client.post(URL, json=application_body(), headers=auth(token, **{"Idempotency-Key": "có dấu"}))
    assert answer.status_code in (400, 422) and answer.mimetype == "application/problem+json"
    assert counts(db) == (0, 0)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize("change, field", [
    ({"applicant": {"name": "A\x00B", "id_number": "031190004321", "phone": "0987654321", "address": "x"}},
     "applicant.name"),
    ({"applicant": {"name": "\ud800", "id_number": "031190004321", "phone": "0987654321", "address": "x"}},
     "applicant.name"),
    ({"applicant": {"name": "   ", "id_number": "031190004321", "phone": "0987654321", "address": "x"}},
     "applicant.name"),
    ({"applicant": {"name": "An", "id_number": "٠٣١١٩٠٠٠٤٣٢١", "phone": "0987654321", "address": "x"}},
     "applicant.id_number"),
    ({"applicant": {"name": "An", "id_number": "031190004321", "phone": "0987654321", "address": "x",
                    "email": "not-an-address"}}, "applicant.email"),
    ({"applicant": {"name": "An", "id_number": 31190004321, "phone": "0987654321", "address": "x"}},
     "applicant.id_number"),
    ({"delivery_method": "pigeon"}, "delivery_method"),
    ({"desk": "KHONGCO"}, "desk"),
    ({"desk": "HB\x00"}, "desk"),
    ({"files": []}, "files"),
    ({"files": [{"document": "declaration", "filename": "a.pdf", "content": "***"}]}, "files.0.content"),
    ({"files": [{"document": "declaration", "filename": "a.exe", "content": b64(EXE)}]}, "files.0.content"),
    ({"files": [{"document": "declaration", "filename": "a.pdf", "content": ""}]}, "files.0.content"),
    ({"files": [{"document": "Declaration", "filename": "a.pdf", "content": b64()}]}, "files.0.document"),
    ({"extra": 1}, "extra"),
    ({"procedure_code": 10**40}, "procedure_code"),
])
def test_bad_input_is_a_field_error_and_writes_nothing(app, client, db, change, field):
    _, token = make_client()
    before = stored_files(app)
    answer = client.post(URL, json=application_body(**change), headers=auth(token, **{"Accept-Language": "en"}))
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json" and answer.json["code"] == "invalid"
    assert field in {e["field"] for e in answer.json["errors"]}, answer.json
    assert all(e["pointer"].startswith("#/") for e in answer.json["errors"])
    assert counts(db) == (0, 0) and stored_files(app) == before


@pytest.mark.parametrize("raw, content_type", [
    (b"{not json", "application/json"), (b"\xff\xfe", "application/json"), (b"[]", "application/json"),
    (b'"text"', "application/json"), (b"a=b", "application/x-www-form-urlencoded"), (b"", "text/plain"),
    (b'{"files": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
])
def test_a_body_that_is_not_the_json_object_is_a_4xx_problem(client, db, raw, content_type):
    _, token = make_client()
    answer = client.post(URL, data=raw, headers=auth(token, **{"Content-Type": content_type}))
    assert 400 <= answer.status_code < 500 and answer.mimetype == "application/problem+json", answer.status_code


def test_a_procedure_not_filed_online_is_refused_in_the_callers_language(client, db):
    _, token = make_client()
    body = application_body(procedure_code="2.000815",
                            files=[{"document": "original", "filename": "a.pdf", "content": b64()}])
    answer = client.post(URL, json=body, headers=auth(token, **{"Accept-Language": "en"}))
    assert answer.status_code == 422 and answer.json["code"] == "refused"
    assert answer.json["detail"] == "This procedure cannot be filed online."


def test_a_desk_outside_the_callers_subtree_is_not_offered(client, db):
    _, token = make_client("NQ")  # Ngô Quyền: Minh Khai (Hồng Bàng) is outside
    answer = client.post(URL, json=application_body(), headers=auth(token))
    assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "desk"


def test_the_decision_is_read_back_accepted_with_the_dossier_or_refused_with_why(client, db):
    _, token = make_client()
    clerk = db.session.scalar(select(User).where(User.username == "hbmk.clerk"))
    references = [client.post(URL, json=application_body(), headers=auth(token)).json["reference"] for _ in range(2)]
    accepted, refused = (db.session.scalar(select(OnlineApplication).where(OnlineApplication.reference == r))
                         for r in references)
    dossier = accept_online_application(accepted, clerk, documents=["declaration", "birth_notice"])
    refuse_online_application(refused, clerk, reason="Giấy chứng sinh không rõ.")
    db.session.commit()
    one = client.get(f"{URL}/{references[0]}", headers=auth(token)).json
    two = client.get(f"{URL}/{references[1]}", headers=auth(token)).json
    assert one["status"] == "accepted" and one["dossier_code"] == dossier.code and one["decided_at"]
    assert two["status"] == "refused" and two["refusal_reason"] == "Giấy chứng sinh không rõ."
    _, elsewhere = make_client("NQ", name="Ngô Quyền")
    assert client.get(f"{URL}/{references[0]}", headers=auth(elsewhere)).status_code == 404


def test_a_file_of_the_largest_size_passes_and_one_byte_more_is_refused(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_ATTACHMENT_MAX_MB", 0.001)  # 1048 bytes
    _, token = make_client()
    limit = int(0.001 * 1024 * 1024)
    fits = PDF + b"%" * (limit - len(PDF))
    body = application_body(files=[{"document": "declaration", "filename": "a.pdf", "content": b64(fits)},
                                   {"document": "birth_notice", "filename": "b.pdf", "content": b64()}])
    assert client.post(URL, json=body, headers=auth(token)).status_code == 201
    body["files"][0]["content"] = base64.b64encode(fits + b"%").decode()
    too_big = client.post(URL, json=body, headers=auth(token))
    assert too_big.status_code == 422 and too_big.json["errors"][0]["field"] == "files.0.content"


def test_a_reference_already_taken_draws_another(client, db, monkeypatch):
    from onestop.online import operations

    _, token = make_client()
    taken = client.post(URL, json=application_body(), headers=auth(token)).json["reference"]
    drawn = iter([taken, taken, "TT-261202-ABCDEF"])
    monkeypatch.setattr(operations, "new_reference", lambda day: next(drawn))
    again = client.post(URL, json=application_body(), headers=auth(token))
    assert again.status_code == 201 and again.json["reference"] == "TT-261202-ABCDEF"
    assert next(drawn, None) is None and counts(db) == (2, 4)


@pytest.mark.server  # SQLite takes one writer at a time: the calls would not overlap
def test_one_key_sent_four_times_at_once_files_once_and_keeps_one_set_of_files(app, committed):
    """Each call does the work; the key's claim, last, lets one commit: the others wait for it,
    meet its row, give its answer and remove the files they had stored."""
    _, token = make_client()
    before = stored_files(app)

    def post(test_client):
        answer = test_client.post(URL, json=application_body(), headers=auth(token, **{"Idempotency-Key": "race-1"}))
        return answer.status_code, answer.get_data()

    answers = race(app, committed, 4, app.test_client, post)
    assert [status for status, _ in answers] == [201] * 4, answers
    assert len({body for _, body in answers}) == 1
    assert counts(committed) == (1, 2)
    assert len(stored_files(app) - before) == 2


def test_an_answer_that_cannot_be_built_leaves_nothing_behind(app, client, db, monkeypatch):
    from onestop.api import application_views

    def broken(*args, **kwargs):
        raise RuntimeError("answer")

    _, token = make_client()
    before = stored_files(app)
    monkeypatch.setattr(application_views, "application_out", broken)
    answer = client.post(URL, json=application_body(), headers=auth(token, **{"Idempotency-Key": "broken-1"}))
    assert answer.status_code == 500  # a fault of ours, answered as a problem
    assert counts(db) == (0, 0) and stored_files(app) == before
