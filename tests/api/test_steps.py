"""A step held by another system: the dossier waits at the tax system's agency with the step's
clock running, the system takes it and posts the outcome (once per key), and the reports show it."""
from sqlalchemy import func, select

from onestop.api.systems import account_of
from onestop.attachments.models import Attachment
from onestop.core import clock
from onestop.dossiers.models import DossierEvent, Status
from onestop.dossiers.operations import route
from tests.api.helpers import PDF, auth, b64, make_client
from tests.api.steps import receive_land_transfer, walk_to_tax
from tests.conftest import vn

URL = "/api/v1/steps"


def tax_client():
    return make_client("HTTHUE", ["steps:act"], name="Hệ thống quản lý thuế")


def test_the_dossier_waits_at_the_tax_system_with_the_steps_clock_and_is_routed_to_its_account(db):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = walk_to_tax(receive_land_transfer())
        assert dossier.status == Status.PROCESSING and dossier.step_due_at is not None
        assert dossier.step_due_at > dossier.step_started_at  # 3 working days, against that holder
        route(dossier.id, dossier.step_seq)
        assert dossier.assignee == account_of(dossier.holder_agency)


def test_the_system_lists_takes_and_downloads(client, db):
    dossier = walk_to_tax(receive_land_transfer())
    _, token = tax_client()
    listed = client.get(URL, headers=auth(token)).json
    assert [i["code"] for i in listed["items"]] == [dossier.code] and listed["next"] is None
    item = client.get(f"{URL}/{dossier.code}", headers=auth(token)).json
    assert item["dossier"]["step"]["key"] == "tax_office" and item["dossier"]["holder"]["external"] is True
    assert item["applicant"]["id_number"] == "031090001234"
    assert {a["name"] for a in item["actions"]} == {"forward", "request_supplement", "send_back"}
    assert next(a for a in item["actions"] if a["name"] == "send_back")["note_required"] is True


def test_the_outcome_moves_the_dossier_once_per_key_with_its_files(client, db):
    dossier = walk_to_tax(receive_land_transfer())
    _, token = tax_client()
    body = {"action": "forward", "note": "Thông báo thuế số 123/TB-CCT",
            "files": [{"filename": "Thong bao thue.pdf", "content": b64(), "document": None}]}
    headers = auth(token, **{"Idempotency-Key": "tax-123"})
    first = client.post(f"{URL}/{dossier.code}/outcome", json=body, headers=headers)
    assert first.status_code == 200, first.json
    assert first.json["step"]["key"] == "tax_payment" and first.json["status"] == "supplement"
    again = client.post(f"{URL}/{dossier.code}/outcome", json=body, headers=headers)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    moves = db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.action == "forward", DossierEvent.from_step == "tax_office"))
    assert moves == 1
    files = db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)).all()
    assert [(f.filename, f.agency.code) for f in files] == [("Thong bao thue.pdf", "HTTHUE")]
    event = db.session.scalar(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                                         DossierEvent.from_step == "tax_office",
                                                         DossierEvent.action == "forward"))
    assert event.actor.username == "system.tax" and event.note == "Thông báo thuế số 123/TB-CCT"
    gone = client.get(f"{URL}/{dossier.code}", headers=auth(token))  # no longer at its step
    assert gone.status_code == 404


def test_an_outcome_needs_a_key_an_action_of_the_step_and_its_note(client, db):
    dossier = walk_to_tax(receive_land_transfer())
    _, token = tax_client()
    url = f"{URL}/{dossier.code}/outcome"
    assert client.post(url, json={"action": "forward"}, headers=auth(token)).status_code in (400, 422)
    wrong = client.post(url, json={"action": "sign"}, headers=auth(token, **{"Idempotency-Key": "k1"}))
    assert wrong.status_code == 422 and wrong.json["code"] == "refused"
    no_note = client.post(url, json={"action": "send_back"}, headers=auth(token, **{"Idempotency-Key": "k2"}))
    assert no_note.status_code == 422 and no_note.json["code"] == "refused"
    bad_file = client.post(url, json={"action": "forward", "files": [{"filename": "x", "content": b64(b"MZ" * 40)}]},
                           headers=auth(token, **{"Idempotency-Key": "k3"}))
    assert bad_file.status_code == 422 and bad_file.json["errors"][0]["field"] == "files.0.content"
    assert db.session.get(type(dossier), dossier.id).step == "tax_office"


def test_only_the_holding_system_sees_and_acts_on_its_step(client, db):
    dossier = walk_to_tax(receive_land_transfer())
    _, police = make_client("HTCUTRU", ["steps:act"], name="Hệ thống cư trú")
    assert client.get(f"{URL}/{dossier.code}", headers=auth(police)).status_code == 404
    answer = client.post(f"{URL}/{dossier.code}/outcome", json={"action": "forward"},
                         headers=auth(police, **{"Idempotency-Key": "p1"}))
    assert answer.status_code == 404
    _, district = make_client("HB", ["steps:act"], name="Phần mềm của quận")
    assert client.get(URL, headers=auth(district)).json["code"] == "not_an_external_system"


def test_the_overdue_report_shows_the_tax_system_like_any_agency(client, db, login_as):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = walk_to_tax(receive_land_transfer())
    login_as("hp.supervisor")
    with clock.frozen(vn(2027, 3, 1, 9, 0)):
        page = client.get("/reports/overdue").get_data(as_text=True)
    assert 'data-agency="HTTHUE">1<' in page and f'/dossiers/{dossier.id}"' in page


def test_a_file_of_the_step_is_served_to_the_holding_system(client, db):
    from onestop.attachments.operations import add_attachment
    from tests.api.steps import user

    dossier = receive_land_transfer()
    add_attachment(dossier, user("hbmk.clerk"), filename="Hợp đồng.pdf", data=PDF, document="transfer_contract")
    db.session.commit()
    walk_to_tax(dossier)
    _, token = tax_client()
    item = client.get(f"{URL}/{dossier.code}", headers=auth(token)).json
    [file] = item["files"]
    served = client.get(file["url"], headers=auth(token))
    assert served.status_code == 200 and served.data == PDF and served.mimetype == "application/pdf"
    served.close()
    assert client.get(file["url"]).status_code == 401
    assert client.get(f"{URL}/{dossier.code}/files/999999", headers=auth(token)).status_code == 404
