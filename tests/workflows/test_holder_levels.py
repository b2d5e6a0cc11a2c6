"""Holder rules narrowed to a level (``sector:<sector>@<level>``, ``desk@<level>``).

Wards carry the justice sector (civil status), so a bare ``sector:justice`` received at a ward
stays at the ward; the criminal record certificate (3.000333) and the notary card (1.013859) are
the department of justice's, and only a department desk receives them.
"""
import re

import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.operations import create_agency
from onestop.agencies.structure import Structure
from onestop.core.errors import OperationError
from onestop.dossiers.operations import receive_dossier
from onestop.workflows.definition import HolderRule, load_catalogue, parse_holder, parse_procedure
from onestop.workflows.engine import engine, intake_problems
from onestop.workflows.holders import AgencyTree, HolderNotFound, resolve_holder
from onestop.workflows.views import holder_label
from tests.conftest import APPLICANT
from tests.workflows.test_definition import KNOWN, assert_message, procedure_with, refused, step

CRIMINAL_RECORD = "3.000333"
NOTARY_CARD = "1.013859"
CATALOGUE = load_catalogue()


def agency(db, code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def both(spec: str, desk: Agency) -> str | None:
    """The code ``resolve_holder`` gives, after checking that ``AgencyTree.resolve`` gives the same."""
    tree = AgencyTree.load()
    try:
        expected = resolve_holder(spec, desk).code
    except HolderNotFound:
        expected = None
    try:
        got = tree.resolve(spec, tree.nodes[desk.id]).code
    except HolderNotFound:
        got = None
    assert got == expected, spec
    return expected


# --- the syntax and its validation ----------------------------------------------------------

@pytest.mark.parametrize(("spec", "rule"), [
    ("desk", HolderRule("desk")),
    ("desk@department", HolderRule("desk", "", "department")),
    ("level:ward", HolderRule("level", "ward")),
    ("sector:justice", HolderRule("sector", "justice")),
    ("sector:justice@department", HolderRule("sector", "justice", "department")),
    ("agency:STP", HolderRule("agency", "STP")),
])
def test_rules_parse(spec, rule):
    assert parse_holder(spec) == rule


def test_a_level_qualified_sector_is_valid():
    parsed = parse_procedure(procedure_with(lambda d: step(d, "check").update(holder="sector:land@department")),
                             "x.toml", KNOWN)
    assert parsed.step("check").holder == "sector:land@department"


@pytest.mark.parametrize(("holder", "reason"), [
    ("sector:justice@province", "no level 'province'"),
    ("sector:justice@departmnet", "(did you mean 'department'?)"),
    ("sector:fisheries@department", "no sector 'fisheries'"),
    ("desk@commune", "no level 'commune'"),
    ("sector:justice@", "a level is missing after '@'"),
    ("level:ward@ward", "'@<level>' narrows only 'desk' and 'sector:<sector>' rules, not 'level'"),
    ("agency:STP@department", "not 'agency'"),
    ("desk:justice", "'desk' takes no ':<value>'"),
    ("sector:", "'sector' needs a value after ':'"),
    ("ministry:justice@department", "not a holder rule; use 'desk', 'desk@<level>'"),
])
def test_bad_qualified_rules_are_refused_with_the_reason(holder, reason):
    error = refused(procedure_with(lambda d: step(d, "check").update(holder=holder)))
    assert_message(error, "x.toml", "steps.check.holder", f"unknown agency {holder!r}: ", reason)


def test_levels_and_sectors_come_from_the_structure_not_the_code():
    """A two-tier structure (province + commune) validates its own level names."""
    two_tier = Structure(levels=("province", "department", "commune"), sectors=frozenset({"justice", "land"}))
    data = procedure_with(lambda d: (d.update(level="commune"),
                                     step(d, "check").update(holder="sector:justice@department")))
    assert parse_procedure(data, "x.toml", two_tier).step("check").holder == "sector:justice@department"
    error = refused(procedure_with(lambda d: step(d, "check").update(holder="sector:land@province")))
    assert_message(error, "x.toml", "steps.check.holder", "no level 'province'", "known levels: city, department")


def test_the_justice_procedures_are_the_departments():
    for code in (CRIMINAL_RECORD, NOTARY_CARD):
        procedure = CATALOGUE[code]
        assert procedure.start.holder == "desk@department"
        justice = [s.holder for s in procedure.steps if parse_holder(s.holder).value == "justice"]
        assert justice and set(justice) == {"sector:justice@department"}, code


def test_no_bare_sector_rule_is_ambiguous_in_the_demo_tree(db):
    """A bare ``sector:`` rule of the catalogue must not have agencies of that sector at two levels of
    the demo tree (that is what sent 3.000333 to a ward); the interconnected birth's police and social
    insurance steps and the land transfer's tax step stay bare on purpose (a commune police or a
    district tax branch takes over where the tree has one) and are single-level in the demo."""
    levels_by_sector: dict[str, set[str]] = {}
    for row in db.session.execute(select(Agency.level, Agency.sectors)):
        for sector in filter(None, row.sectors.split(",")):
            levels_by_sector.setdefault(sector, set()).add(row.level)
    for procedure in CATALOGUE.values():
        for s in procedure.steps:
            rule = parse_holder(s.holder)
            if rule.kind == "sector" and rule.level is None:
                assert len(levels_by_sector[rule.value]) == 1, (procedure.code, s.key, s.holder)


def test_labels_say_the_level(app):
    with app.test_request_context():
        assert holder_label("sector:justice@department") == "Cơ quan ngành tư pháp thuộc cấp Sở, ngành"
        assert holder_label("desk@department") == "Bộ phận một cửa nơi tiếp nhận, chỉ khi là Sở, ngành"
        assert holder_label("sector:justice") == "Cơ quan ngành tư pháp"
        assert holder_label("desk") == "Bộ phận một cửa nơi tiếp nhận"


# --- resolution, in the database and in memory ---------------------------------------------

def test_a_ward_keeps_bare_justice_but_not_the_departments(db):
    ward = agency(db, "HBMK")
    assert both("sector:justice", ward) == "HBMK"  # civil status: the ward's own justice officer
    assert both("sector:justice@department", ward) == "STP"
    assert both("sector:justice@ward", ward) == "HBMK"
    assert both("sector:justice@district", ward) is None  # no district of the demo has the justice sector
    assert both("sector:police@department", ward) == "CAHP"


def test_from_a_district_and_from_the_department_itself(db):
    assert both("sector:justice@department", agency(db, "HB")) == "STP"
    assert both("sector:justice@department", agency(db, "STP")) == "STP"
    assert both("sector:justice@department", agency(db, "SKHDT")) == "STP"


def test_desk_narrowed_to_a_level(db):
    assert both("desk@department", agency(db, "STP")) == "STP"
    assert both("desk@department", agency(db, "SXD")) == "SXD"
    assert both("desk@department", agency(db, "HBMK")) is None
    assert both("desk@department", agency(db, "HB")) is None
    assert both("desk@ward", agency(db, "HBMK")) == "HBMK"


def test_the_qualifier_picks_a_level_the_bare_rule_would_not(db):
    """With a district police beside the city police, a bare police rule off the chain takes the
    highest (the city police); ``@district`` takes the district one, ``@department`` the city's."""
    create_agency(code="CANQ", name="Công an quận Ngô Quyền", level="district", parent=agency(db, "NQ"),
                  sectors="police")
    ward = agency(db, "NQMT")
    assert both("sector:police", ward) == "CAHP"
    assert both("sector:police@district", ward) == "CANQ"
    assert both("sector:police@department", ward) == "CAHP"
    # a ward that itself has the sector keeps a bare rule, but not a qualified one
    assert both("sector:justice", ward) == "NQMT" and both("sector:justice@department", ward) == "STP"


def test_a_two_tier_tree_is_expressed_by_data(db):
    """Province + department + commune, no district: the commune keeps civil status, the
    department of justice takes the criminal record steps."""
    province = create_agency(code="QT", name="Ủy ban nhân dân tỉnh Quảng Trị", level="city")
    department = create_agency(code="STPQT", name="Sở Tư pháp tỉnh Quảng Trị", level="department",
                               parent=province, sectors="justice", has_desk=True)
    commune = create_agency(code="QTDH", name="Ủy ban nhân dân phường Đông Hà", level="ward", parent=province,
                            sectors="civil_status,justice", has_desk=True)
    assert both("sector:justice", commune) == "QTDH"
    assert both("sector:justice@department", commune) == "STPQT"
    assert both("desk@department", department) == "STPQT"
    assert both("sector:justice@department", agency(db, "HBMK")) == "STP"  # each tree its own department


# --- what a desk can receive ---------------------------------------------------------------

def test_a_ward_desk_cannot_receive_the_departments_justice_procedures(db):
    problems = intake_problems(agency(db, "HBMK"))
    for code in (CRIMINAL_RECORD, NOTARY_CARD):
        assert code in problems and "(desk@department)" in str(problems[code])
    assert "1.001193" not in problems and "2.000815" not in problems  # the ward's own justice work
    district = intake_problems(agency(db, "HB"))
    assert CRIMINAL_RECORD in district and NOTARY_CARD in district
    department = intake_problems(agency(db, "STP"))
    assert CRIMINAL_RECORD not in department and NOTARY_CARD not in department


def test_receiving_the_criminal_record_at_a_ward_is_refused(db, user):
    with pytest.raises(OperationError) as caught:
        receive_dossier(user("hbmk.clerk"), procedure_code=CRIMINAL_RECORD, applicant=APPLICANT,
                        documents=["request_form", "identity_copy"])
    assert "không tiếp nhận được thủ tục 3.000333" in str(caught.value)


def test_the_ward_desk_does_not_offer_it(client, login_as):
    login_as("hbmk.clerk")
    offered = set(re.findall(r'<option value="([\w.-]+)"', client.get("/desk/new").get_data(as_text=True)))
    assert CRIMINAL_RECORD not in offered and NOTARY_CARD not in offered and "1.001193" in offered
    login_as("stp.clerk")
    offered = set(re.findall(r'<option value="([\w.-]+)"', client.get("/desk/new").get_data(as_text=True)))
    assert {CRIMINAL_RECORD, NOTARY_CARD} <= offered


def test_received_at_the_department_it_travels_to_the_city_police_and_back(db, user):
    from onestop.dossiers.operations import perform_action

    dossier = receive_dossier(user("stp.clerk"), procedure_code=CRIMINAL_RECORD, applicant=APPLICANT,
                              documents=["request_form", "identity_copy"])
    assert dossier.holder_agency.code == "STP" and dossier.step == "reception"
    perform_action(dossier, user("stp.clerk"), "forward")
    assert (dossier.step, dossier.holder_agency.code) == ("records_search", "STP")
    perform_action(dossier, user("stp.officer"), "forward")
    assert (dossier.step, dossier.holder_agency.code) == ("police_verification", "CAHP")
    assert engine().procedure(CRIMINAL_RECORD).step("drafting").holder == "sector:justice@department"
