"""The catalogue matches the demo agency tree: every step of every procedure has an agency to hold it.

A procedure is received at a demo desk of its level; each step's holder must then resolve to an
agency of the demo tree that has staff in the role the step asks for.
"""
import pytest
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.auth.models import Role, User
from onestop.workflows.holders import AgencyTree, HolderNotFound, resolve_holder
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
        external = {s.code for s in structure().external_systems.values()}
        assert holder.code in DEMO or holder.code in external, f"{step.key}: {holder.code} is not in the demo tree"
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
    "3.000333": {"reception": "STP", "records_search": "STP", "police_verification": "CAHP", "drafting": "STP",
                 "director_sign": "STP"},
    "1.013859": {"reception": "STP", "justice_review": "STP"},
    "1.013978": {"reception": "HB", "district_check": "HB", "department_appraisal": "STNMT", "city_sign": "HP"},
    "HP-DD-01": {"reception": "HBMK", "registry_assign": "HB", "ward_cadastral": "HBMK", "tax_office": "CTHP",
                 "tax_payment": "HBMK", "leader_sign": "HB", "result_at_desk": "HBMK"},
    "HP-DD-01T": {"reception": "HBMK", "registry_review": "HB", "tax_office": "HTTHUE", "tax_payment": "HBMK"},
    "2.000986": {"reception": "HBMK", "birth_registration": "HBMK", "residence_registration": "CAHP",
                 "health_insurance": "BHXHHP", "result_at_desk": "HBMK"},
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
    ("2.000986", {"ward", "department"}),
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


def test_the_tree_snapshot_resolves_like_the_database(db):
    """``AgencyTree.resolve`` (intake check, no queries) and ``resolve_holder`` agree on every step from every desk."""
    tree = AgencyTree.load()
    desks = db.session.scalars(select(Agency).where(Agency.has_desk).order_by(Agency.id)).all()
    holders = sorted({s.holder for p in CATALOGUE.values() for s in p.steps} | {"agency:NOPE", "level:nowhere"})
    compared = 0
    for desk in desks:
        for spec in holders:
            try:
                expected = resolve_holder(spec, desk).id
            except HolderNotFound:
                expected = None
            try:
                got = tree.resolve(spec, tree.nodes[desk.id]).id
            except HolderNotFound:
                got = None
            assert got == expected, (desk.code, spec)
            compared += 1
    assert compared == len(desks) * len(holders)


def test_police_and_social_insurance_are_seeded_without_a_desk(db):
    for code, sector in (("CAHP", "police"), ("BHXHHP", "social_insurance")):
        found = agency(db, code)
        assert found.level == "department" and found.parent.code == "HP" and found.sector_set == {sector}
        assert not found.has_desk
        roles = set(db.session.scalars(select(User.role).where(User.agency_id == found.id)))
        assert roles == {Role.OFFICER, Role.SUPERVISOR}


def test_seeding_again_adds_nothing(db):
    from onestop.demo.seed import seed_demo

    count = select(func.count()).select_from(Agency)
    users = select(func.count()).select_from(User)
    before = db.session.scalar(count), db.session.scalar(users)
    seed_demo()
    systems = len(structure().external_systems)  # the other systems holding steps: an agency row each
    assert (db.session.scalar(count), db.session.scalar(users)) == before == (len(DEMO) + systems, before[1])


def test_seeding_adds_the_agencies_missing_from_an_existing_tree(db, tmp_path):
    from onestop.demo.seed import DEMO_FILE, seed_demo

    extended = tmp_path / "demo.toml"
    extended.write_text(DEMO_FILE.read_text(encoding="utf-8") + '''
[[agencies]]
code = "CAKA"
name = "Công an quận Kiến An"
level = "district"
parent = "KA"
sectors = "police"
''', encoding="utf-8")
    seed_demo(extended)
    added = agency(db, "CAKA")
    assert added.parent.code == "KA" and added.path == f"{added.parent.path}{added.id}/"
    assert db.session.scalar(select(User).where(User.username == "caka.officer")) is not None
    seed_demo(extended)
    assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == "CAKA")) == 1
