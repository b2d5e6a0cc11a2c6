"""The competent unit through a reorganisation: named when the desk that received a dossier moves
to another agency's, followed to its successor when it is dissolved; and a desk that moves takes
only the dossiers at the steps its desk holds, not the agency's own work."""
from datetime import date

from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.dossiers.operations import perform_action, receive_dossier
from onestop.reorganisation.apply import run
from onestop.reorganisation.plan import parse_plan
from tests.conftest import APPLICANT

HOUSEHOLD_BUSINESS = "1.001612"  # version 2: the commune checks and signs ('competent' steps)
PLAN_DAY = date(2026, 12, 1)


def _code(db, agency_id):
    return db.session.scalar(select(Agency.code).where(Agency.id == agency_id)) if agency_id else None


def _received_at_minh_khai(db, user):
    dossier = receive_dossier(user("hbmk.clerk"), procedure_code=HOUSEHOLD_BUSINESS, applicant=APPLICANT,
                              documents=["application", "identity_papers"])
    db.session.flush()
    perform_action(dossier, user("hbmk.clerk"), "forward")
    db.session.flush()
    assert (dossier.step, dossier.holder_agency.code, dossier.competent_agency_id) == ("registry_check", "HBMK", None)
    return dossier


def test_a_desk_moving_away_leaves_the_dossier_with_its_unit(db, user):
    dossier = _received_at_minh_khai(db, user)
    run(parse_plan({"date": PLAN_DAY, "desks": [{"agencies": ["HBMK"], "into": "HBQT"}]}, "plan"), apply=True)
    db.session.refresh(dossier)
    assert (_code(db, dossier.receiving_agency_id), _code(db, dossier.competent_agency_id)) == ("HBQT", "HBMK")
    assert dossier.holder_agency.code == "HBMK", "a step its desk does not hold stays with the agency"
    perform_action(dossier, user("hbmk.officer"), "forward")
    assert dossier.holder_agency.code == "HBMK", "the ward that stays signs it, not the desk it moved to"


def test_a_dissolved_competent_unit_goes_to_its_successor(db, user):
    dossier = _received_at_minh_khai(db, user)
    run(parse_plan({"date": PLAN_DAY, "dissolve": [{"agencies": ["HBMK"], "into": "HBQT"}]}, "plan"), apply=True)
    db.session.refresh(dossier)
    assert dossier.receiving_agency.code == "HBQT" and dossier.competent_agency_id is None
    assert dossier.holder_agency.code == "HBQT"
