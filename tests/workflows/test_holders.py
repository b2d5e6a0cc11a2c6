"""The catalogue matches the demo agency tree: every step of every procedure has an agency to hold it.

A procedure is received at a demo desk of its level; each step's holder must then resolve to an
agency of the demo tree that has staff in the role the step asks for.
"""
import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.workflows.holders import HolderNotFound, resolve_holder
from tests.workflows.demo_desks import CATALOGUE, DEMO, receiving_desk_code


def agency(db, code: str) -> Agency:
    found = db.session.scalar(select(Agency).where(Agency.code == code))
    assert found is not None, f"demo agency {code} is not seeded"
    return found


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_step_resolves_to_a_demo_agency_with_staff(db, code):
    procedure = CATALOGUE[code]
    desk = agency(db, receiving_desk_code(procedure))
    assert desk.has_desk and desk.level == procedure.level
    for step in procedure.steps:
        holder = resolve_holder(step.holder, desk)
        assert holder.code in DEMO, f"{step.key}: {holder.code} is not in the demo tree"
        staff = db.session.scalar(select(User).where(User.agency_id == holder.id, User.role == Role(step.role),
                                                     User.active))
        assert staff is not None, f"{step.key}: no {step.role} at {holder.code}"
        for action in step.actions:
            if action.role:
                assert db.session.scalar(select(User).where(
                    User.agency_id == holder.id, User.role == Role(action.role))) is not None


#: where the steps of the procedures received at the demo desk land (agency codes)
EXPECTED_ROUTES = {
    "1.001193": {"reception": "HBMK", "civil_status_check": "HBMK", "leader_sign": "HBMK"},
    "1.013225": {"reception": "HB", "infrastructure_office": "HB", "leader_sign": "HB"},
    "2.001610": {"reception": "SKHDT", "registration_check": "SKHDT", "leader_sign": "SKHDT"},
    "3.000333": {"reception": "STP", "records_search": "STP", "director_sign": "STP"},
    "1.013859": {"reception": "STP", "justice_review": "STP"},
    "1.013978": {"reception": "HB", "district_check": "HB", "department_appraisal": "STNMT", "city_sign": "HP"},
    "HP-DD-01": {"reception": "HBMK", "registry_assign": "HB", "ward_cadastral": "HBMK", "tax_office": "CTHP",
                 "tax_payment": "HBMK", "leader_sign": "HB", "result_at_desk": "HBMK"},
    "2.000986": {"reception": "HBMK", "birth_registration": "HBMK", "residence_registration": "HBMK",
                 "health_insurance": "HB", "result_at_desk": "HBMK"},
    "1.009645": {"reception": "HP", "department_appraisal": "SKHDT", "city_approval": "HP"},
}


@pytest.mark.parametrize("code", sorted(EXPECTED_ROUTES))
def test_steps_land_at_the_competent_agency(db, code):
    procedure = CATALOGUE[code]
    desk = agency(db, receiving_desk_code(procedure))
    landed = {key: resolve_holder(procedure.step(key).holder, desk).code for key in EXPECTED_ROUTES[code]}
    assert landed == EXPECTED_ROUTES[code]


@pytest.mark.parametrize(("code", "levels"), [
    ("1.013978", {"district", "department", "city"}),
    ("HP-DD-01", {"ward", "district", "department"}),
    ("2.000986", {"ward", "district"}),
    ("1.009645", {"city", "department"}),
])
def test_interconnected_procedures_cross_levels(db, code, levels):
    procedure = CATALOGUE[code]
    desk = agency(db, receiving_desk_code(procedure))
    assert {resolve_holder(s.holder, desk).level for s in procedure.steps} == levels


def test_another_ward_routes_to_its_own_district(db):
    """Received at An Biên (Lê Chân), the land transfer goes to Lê Chân, not to Hồng Bàng."""
    procedure = CATALOGUE["HP-DD-01"]
    desk = agency(db, "LCAB")
    assert resolve_holder(procedure.step("registry_assign").holder, desk).code == "LC"
    assert resolve_holder(procedure.step("ward_cadastral").holder, desk).code == "LCAB"


def test_ward_step_cannot_be_routed_from_a_district_desk(db):
    """Why the land transfer is received at the ward: a district desk has no ward on its chain."""
    with pytest.raises(HolderNotFound):
        resolve_holder(CATALOGUE["HP-DD-01"].step("ward_cadastral").holder, agency(db, "HB"))
