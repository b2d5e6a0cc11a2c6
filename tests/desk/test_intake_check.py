"""A desk receives only the procedures whose every step has an agency to hold it from that desk."""
import re

import pytest
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.agencies.operations import create_agency
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import receive_dossier
from onestop.workflows.engine import engine, intake_problems
from tests.conftest import APPLICANT, LAND, vn

BIRTH = "1.001193"  # ward level: its steps are held by 'level:ward'
INTERCONNECTED_BIRTH = "2.000986"  # ward → police → social insurance


def agency(db, code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def _offered(page: str) -> set[str]:
    """The procedures of the procedure list (the procedures' own fields have lists of their own)."""
    select = re.search(r'<select id="procedure_code".*?</select>', page, re.S).group(0)
    return set(re.findall(r'<option value="([\w.-]+)"', select))


def test_what_each_level_of_desk_can_receive(db):
    district, ward, department = (intake_problems(agency(db, code)) for code in ("HB", "HBMK", "STNMT"))
    assert LAND not in district and "1.013225" not in district
    assert BIRTH in district and "bước «" in district[BIRTH] and "(level:ward)" in district[BIRTH]
    assert BIRTH not in ward and INTERCONNECTED_BIRTH not in ward and "2.000815" not in ward
    with clock.frozen(vn(2025, 6, 30, 9)):  # version 1: 'level:district' has no agency above a department
        assert "1.001612" in intake_problems(agency(db, "STNMT"))
    assert "1.001612" not in department, "version 2 (from 1 July 2025): the receiving desk registers it"
    assert set(engine().compiled) - set(ward), "a ward desk receives something"


def test_receiving_a_procedure_the_desk_cannot_route_is_refused(db, user):
    with pytest.raises(OperationError) as caught:
        receive_dossier(user("hb.clerk"), procedure_code=BIRTH, applicant=APPLICANT, documents=[])
    message = str(caught.value)
    assert message.startswith("Ủy ban nhân dân quận Hồng Bàng không tiếp nhận được thủ tục 1.001193: bước «")
    assert "không có cơ quan xử lý (level:ward)" in message
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_the_desk_lists_only_what_it_can_receive(client, login_as, db):
    login_as("hb.clerk")
    offered = _offered(client.get("/desk/new").get_data(as_text=True))
    problems = intake_problems(agency(db, "HB"))
    assert offered == set(engine().compiled) - set(problems)
    assert LAND in offered and BIRTH not in offered
    login_as("hbmk.clerk")
    offered = _offered(client.get("/desk/new").get_data(as_text=True))
    assert BIRTH in offered and INTERCONNECTED_BIRTH in offered
    assert offered == set(engine().compiled) - set(intake_problems(agency(db, "HBMK")))
    login_as("hb.clerk")
    response = client.post("/desk/new", data={"procedure_code": BIRTH, "applicant_name": "A",
                                              "applicant_id_number": "031190004321", "applicant_phone": "0987654321",
                                              "applicant_address": "x", "delivery_method": "desk"})
    assert response.status_code == 422  # not a choice of this desk


def test_worked_out_once_per_desk_until_the_tree_changes(db):
    desk = agency(db, "NQMT")
    first = intake_problems(desk)
    assert intake_problems(desk) is first  # cached
    create_agency(code="CANQ", name="Công an quận Ngô Quyền", level="district", parent=agency(db, "NQ"),
                  sectors="police")
    again = intake_problems(desk)
    assert again is not first and again == first  # recomputed for the new tree, same answer here


def test_a_new_desk_without_police_in_its_tree_cannot_take_the_interconnected_birth(db):
    other_city = create_agency(code="QN", name="Ủy ban nhân dân tỉnh Quảng Ninh", level="city")
    district = create_agency(code="HL", name="Ủy ban nhân dân thành phố Hạ Long", level="district",
                             parent=other_city)
    ward = create_agency(code="HLBC", name="Ủy ban nhân dân phường Bãi Cháy", level="ward", parent=district,
                         sectors="civil_status,justice", has_desk=True)
    problems = intake_problems(ward)
    assert "(sector:police)" in problems[INTERCONNECTED_BIRTH]
    assert BIRTH not in problems
