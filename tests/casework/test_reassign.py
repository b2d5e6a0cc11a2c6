"""A supervisor reassigns a dossier of the agency to someone who can act on its step.

The world is built here: a city with one ward that runs a desk and certifies copies, its clerk,
two officers and a supervisor."""
import pytest
from sqlalchemy import select

from onestop.auth.models import Role
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.operations import route

COPY = "2.000815"


@pytest.fixture
def ward(make):
    city = make.agency(level="city", sectors="general")
    ward = make.agency(level="ward", parent=city, sectors="justice,civil_status", has_desk=True)
    people = {"clerk": make.user(ward, Role.CLERK), "first": make.user(ward, Role.OFFICER),
              "second": make.user(ward, Role.OFFICER), "supervisor": make.user(ward, Role.SUPERVISOR),
              "elsewhere": make.user(make.agency(level="ward", parent=city, has_desk=True), Role.SUPERVISOR)}
    return ward, people


@pytest.fixture
def checking(db, make, ward):
    """A copy to certify, at the ward officers' check, routed to one of them."""
    desk, people = ward
    dossier = make.advance(make.dossier(desk, COPY), "justice_check")
    route(dossier.id, dossier.step_seq)
    db.session.commit()
    return dossier


def test_the_supervisor_reassigns_to_another_officer(client, login_as, checking, ward):
    _desk, people = ward
    other = people["second"] if checking.assignee == people["first"] else people["first"]
    login_as(people["supervisor"].username)
    page = client.get(f"/dossiers/{checking.id}").get_data(as_text=True)
    assert f'value="{other.id}"' in page and f'value="{people["clerk"].id}"' not in page
    answer = client.post(f"/dossiers/{checking.id}/assign", data={"user_id": people["supervisor"].id})
    assert answer.status_code == 422  # the check is an officer's step; the supervisor has no action there
    answer = client.post(f"/dossiers/{checking.id}/assign", data={"user_id": other.id})
    assert answer.status_code == 302 and checking.assignee == other


def test_a_clerk_cannot_be_given_an_officers_step(client, login_as, db, checking, ward):
    _desk, people = ward
    before = checking.assignee
    login_as(people["supervisor"].username)
    answer = client.post(f"/dossiers/{checking.id}/assign", data={"user_id": people["clerk"].id})
    assert answer.status_code == 422
    db.session.expire_all()
    assert checking.assignee == before
    assert db.session.scalar(select(DossierEvent).where(DossierEvent.action == "assign",
                                                        DossierEvent.actor_id == people["supervisor"].id)) is None


def test_only_the_holding_agencys_supervisor_reassigns(client, login_as, checking, ward):
    _desk, people = ward
    for who, status in ((people["first"], 422), (people["elsewhere"], 404)):
        login_as(who.username)
        assert client.post(f"/dossiers/{checking.id}/assign", data={"user_id": people["second"].id}).status_code == status
