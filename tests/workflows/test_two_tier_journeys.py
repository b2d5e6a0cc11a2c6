"""Every procedure of the catalogue, in the version in force today, walked end to end on the
two-tier tree (the merged Hải Phòng since 1 July 2025: city, departments, the service centre,
communes), by the same walk as on the three-tier tree."""
from datetime import date

import pytest

from onestop.workflows.definition import load_versions
from onestop.workflows.holders import AgencyTree
from onestop.workflows.versions import in_force
from tests.two_tier import TWO_TIER, two_tier_alone
from tests.workflows.walk import assert_returned, walk_main_path

TWO_TIER_DAY = date(2025, 7, 1)
CATALOGUE = {code: in_force(found, TWO_TIER_DAY) for code, found in load_versions().items()}


@pytest.fixture
def two_tier(db):
    two_tier_alone(db)


def desk_for(procedure) -> str:
    """A commune's desk for commune procedures; the service centre for the city's and departments'."""
    return "HAIDUONG" if procedure.level == "ward" else "TTPVHCC"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_main_path_reaches_the_result_on_the_two_tier_tree(db, user, two_tier, code):
    desk = desk_for(CATALOGUE[code])
    dossier, walked = walk_main_path(db, user, code, desk)
    assert dossier.procedure_version == CATALOGUE[code].version
    assert all(code in TWO_TIER or code.startswith("HT") for _, code in walked), walked
    assert_returned(dossier, walked, desk)


def test_every_commune_and_the_centre_can_receive_what_is_in_force(db, two_tier):
    from onestop.workflows.engine import engine

    tree = AgencyTree.load()
    for desk in (n for n in tree.nodes.values() if n.has_desk and n.active):
        refused = engine().intake_problems(desk, tree)
        centre = desk.code == "TTPVHCC"
        mine = {code for code, p in CATALOGUE.items() if (p.level != "ward") == centre}
        assert not mine & set(refused), (desk.code, {c: str(refused[c]) for c in mine & set(refused)})


def test_the_district_versions_cannot_run_there(db, two_tier):
    from onestop.workflows.engine import engine

    tree = AgencyTree.load()
    district_era = load_versions()["1.001612"][0]
    assert district_era.level == "district"
    assert engine().routing_problem(district_era, tree.by_code["HAIDUONG"], tree) is not None, \
        "a commune of the two-tier tree has no district on its chain"
