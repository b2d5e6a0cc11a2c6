"""A supervisor reassigns a dossier of the agency to someone who can act on its step."""
from sqlalchemy import select

from onestop.dossiers.models import DossierEvent
from onestop.dossiers.operations import perform_action, route


def _at_district(db, create_dossier, user):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")
    route(dossier.id, dossier.step_seq)
    db.session.commit()
    return dossier


def test_the_supervisor_reassigns_to_an_officer(client, login_as, db, create_dossier, user):
    dossier = _at_district(db, create_dossier, user)
    login_as("hb.supervisor")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert f'value="{user("hb.officer").id}"' in page and f'value="{user("hb.clerk").id}"' not in page
    answer = client.post(f"/dossiers/{dossier.id}/assign", data={"user_id": user("hb.supervisor").id})
    assert answer.status_code == 422  # the district check is an officer's step; the supervisor has no action there
    answer = client.post(f"/dossiers/{dossier.id}/assign", data={"user_id": user("hb.officer").id})
    assert answer.status_code == 302 and dossier.assignee == user("hb.officer")


def test_a_clerk_cannot_be_given_an_officers_step(client, login_as, db, create_dossier, user):
    dossier = _at_district(db, create_dossier, user)
    login_as("hb.supervisor")
    answer = client.post(f"/dossiers/{dossier.id}/assign", data={"user_id": user("hb.clerk").id})
    assert answer.status_code == 422
    db.session.expire_all()
    assert dossier.assignee == user("hb.officer")
    assert db.session.scalar(select(DossierEvent).where(DossierEvent.action == "assign",
                                                        DossierEvent.actor_id == user("hb.supervisor").id)) is None


def test_only_the_holding_agencys_supervisor_reassigns(client, login_as, db, create_dossier, user):
    dossier = _at_district(db, create_dossier, user)
    for who in ("hb.officer", "stnmt.supervisor"):
        login_as(who)
        answer = client.post(f"/dossiers/{dossier.id}/assign", data={"user_id": user("hb.officer").id})
        assert answer.status_code in (404, 422)
