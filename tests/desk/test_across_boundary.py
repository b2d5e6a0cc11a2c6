"""Reception regardless of administrative boundary (Decree 118/2025) on the two-tier tree: the
desk of phường Hồng Bàng receives a dossier that phường Lê Chân is competent for. The steps resolve
from Lê Chân, the result comes back to Hồng Bàng, and every paper, page and figure names both."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action, receive_dossier
from onestop.dossiers.scope import dossier_scope
from onestop.dossiers.tree_check import running_dossiers_keep_holders
from onestop.workflows.boundary import across_boundary_problem, competent_choices, place_name
from onestop.workflows.engine import engine
from tests.conftest import APPLICANT, LAND, LAND_DOCS, vn
from tests.two_tier import two_tier_alone
from tests.workflows.walk import walk_main_path

BIRTH = "1.001193"
BUSINESS = "2.001610"  # decided by the department of finance whoever receives it
DECEMBER = "2026-12"


@pytest.fixture
def two_tier(db):
    two_tier_alone(db)


@pytest.fixture
def agency(db):
    def get(code: str) -> Agency:
        return db.session.scalar(select(Agency).where(Agency.code == code))
    return get


def _receive(user, agency, code=LAND, competent="LECHAN", **kwargs) -> Dossier:
    documents = kwargs.pop("documents", None) or [d.key for d in engine().receivable(code).documents]
    return receive_dossier(user("hongbang.clerk"), procedure_code=code, applicant=APPLICANT, documents=documents,
                           competent=agency(competent) if competent else None, **kwargs)


def test_the_land_dossier_is_checked_by_the_competent_commune_and_returned_at_the_receiving_desk(
        db, user, agency, two_tier):
    dossier, walked = walk_main_path(db, user, LAND, "HONGBANG", competent=agency("LECHAN"))
    assert walked == [("reception", "HONGBANG"), ("district_check", "LECHAN"), ("department_appraisal", "SNNMT"),
                      ("city_sign", "HP"), ("result_at_desk", "HONGBANG"), ("done", "HONGBANG")]
    assert dossier.receiving_agency.code == "HONGBANG" and dossier.competent_agency.code == "LECHAN"
    assert dossier.across_boundary and dossier.competent_id == agency("LECHAN").id


def test_a_birth_is_registered_by_the_competent_ward(db, user, agency, two_tier):
    dossier, walked = walk_main_path(db, user, BIRTH, "HONGBANG", competent=agency("LECHAN"))
    assert [holder for _, holder in walked] == ["HONGBANG", "LECHAN", "LECHAN", "HONGBANG", "HONGBANG"], walked


def test_without_a_competent_unit_the_desk_decides_as_before(db, user, agency, two_tier):
    dossier, walked = walk_main_path(db, user, LAND, "HONGBANG")
    assert ("district_check", "HONGBANG") in walked and dossier.competent_agency_id is None
    assert not dossier.across_boundary and dossier.competent_id == dossier.receiving_agency_id
    same = _receive(user, agency, competent="HONGBANG")
    assert same.competent_agency_id is None, "the desk's own unit is not stored as another"


def test_what_may_be_chosen(db, user, agency, two_tier):
    choices = competent_choices(agency("HONGBANG"))
    lechan, cathai, centre = agency("LECHAN").id, agency("CATHAI").id, agency("TTPVHCC").id
    assert lechan in choices[LAND] and cathai in choices[BIRTH]
    assert agency("HONGBANG").id not in choices[LAND], "not the desk itself"
    assert centre not in choices.get(BIRTH, ()), "the centre does not register births"
    assert BUSINESS not in choices, "decided by the department whoever receives it: nobody else to name"
    assert across_boundary_problem(agency("HONGBANG"), agency("SNNMT"), LAND), "a department without a desk"
    problem = across_boundary_problem(agency("TTPVHCC"), agency("LECHAN"), BUSINESS)
    assert "giải quyết ngay tại nơi tiếp nhận" in problem
    assert place_name("Ủy ban nhân dân phường Lê Chân") == "Lê Chân"
    assert place_name("Ủy ban nhân dân đặc khu Cát Hải") == "Cát Hải"


@pytest.mark.parametrize("competent, code, reason", [
    ("SNNMT", LAND, "không phải đơn vị có bộ phận một cửa"),
    ("TTPVHCC", BIRTH, "không giải quyết thủ tục này"),
])
def test_a_unit_that_cannot_decide_it_is_refused_and_nothing_is_written(db, user, agency, two_tier, competent,
                                                                          code, reason):
    before = db.session.scalar(select(Dossier.id).order_by(Dossier.id.desc()).limit(1))
    with pytest.raises(OperationError, match=reason):
        _receive(user, agency, code=code, competent=competent)
    assert db.session.scalar(select(Dossier.id).order_by(Dossier.id.desc()).limit(1)) == before


def test_the_competent_unit_sees_it_from_the_start_and_cannot_be_closed_under_it(db, user, agency, two_tier):
    dossier = _receive(user, agency)
    db.session.flush()
    officer = user("lechan.officer")
    assert db.session.scalar(select(Dossier.id).where(Dossier.id == dossier.id, dossier_scope(officer)))
    assert not db.session.scalar(select(Dossier.id).where(Dossier.id == dossier.id, dossier_scope(
        user("anbien.officer"))))
    agency("LECHAN").active = False  # as closing it would, before the tree checks
    db.session.flush()
    assert dossier.code in running_dossiers_keep_holders()


def test_the_desk_form_offers_the_units_and_keeps_the_choice(db, client, login_as, user, agency, two_tier):
    login_as("hongbang.clerk")
    page = client.get(f"/desk/new?procedure={LAND}").get_data(as_text=True)
    assert 'id="competent"' in page and 'data-place="Lê Chân"' in page
    by_address = page[page.index('data-by-address="') + 17:].split('"')[0].split()
    assert BIRTH in by_address and LAND not in by_address, "land: the parcel's place decides, not the address"
    lechan = agency("LECHAN")
    data = {"procedure_code": LAND, "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
            "applicant_phone": "0987654321", "applicant_address": "5 Lạch Tray, Lê Chân, Hải Phòng",
            "documents": LAND_DOCS, "detail_parcel_number": "125", "detail_map_sheet": "14", "detail_area": "86,5",
            "delivery_method": "desk", "payment_method": "cash"}
    for wrong, message in (("99999", "Chọn đơn vị có thẩm quyền trong danh sách"),
                           ("abc\x00", "Chọn đơn vị có thẩm quyền trong danh sách"),
                           ("²", "Chọn đơn vị có thẩm quyền trong danh sách")):
        refused = client.post("/desk/new", data={**data, "competent": wrong})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(Dossier.id).where(Dossier.competent_agency_id.is_not(None))) is None
    with clock.frozen(vn(2026, 12, 7, 9)):
        saved = client.post("/desk/new", data={**data, "competent": str(lechan.id)})
        assert saved.status_code == 302, saved.get_data(as_text=True)
        receipt = client.get(saved.headers["Location"]).get_data(as_text=True)
    dossier = db.session.scalar(select(Dossier).where(Dossier.competent_agency_id == lechan.id))
    assert dossier.holder_agency.code == "HONGBANG" and dossier.code.startswith("HONGBANG-")
    assert "Cơ quan có thẩm quyền giải quyết: Ủy ban nhân dân phường Lê Chân" in receipt
    assert "Ủy ban nhân dân phường Hồng Bàng tiếp nhận hồ sơ" in receipt
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="competent">Ủy ban nhân dân phường Lê Chân' in page


def test_the_public_look_up_names_both(db, client, user, agency, two_tier):
    dossier = _receive(user, agency)
    db.session.flush()
    page = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": APPLICANT.id_number[-4:]})
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert 'data-testid="public-desk">Ủy ban nhân dân phường Hồng Bàng' in text
    assert 'data-testid="public-competent">Ủy ban nhân dân phường Lê Chân' in text


def test_the_statistics_count_it_for_each_in_its_own_column(db, client, login_as, user, agency, two_tier):
    with clock.frozen(vn(2026, 12, 7, 9)):
        _receive(user, agency)
        _receive(user, agency, code=BIRTH, competent="CATHAI")
        _receive(user, agency, competent=None)
        mine = _receive(user, agency)
        db.session.flush()
        perform_action(mine, user("hongbang.clerk"), "forward")
        db.session.flush()
    with clock.frozen(vn(2026, 12, 20, 9)):
        login_as("hongbang.supervisor")
        page = client.get(f"/reports/statistics?p={DECEMBER}").get_data(as_text=True)
        table = page[page.index('data-testid="across-boundary"'):]
        row = table[table.index('data-agency="HONGBANG"'):]
        assert 'data-testid="for-others">3<' in row[:400] and 'data-testid="from-others">0<' in row[:400]
        workbook = load_workbook(io.BytesIO(client.get(f"/reports/statistics?p={DECEMBER}&format=xlsx").data))
        cells = [[c for c in r if c is not None] for r in workbook.active.iter_rows(values_only=True)]
        assert ["Ủy ban nhân dân phường Hồng Bàng", "HONGBANG", 3, 0] in cells
        login_as("lechan.supervisor")
        page = client.get(f"/reports/statistics?p={DECEMBER}").get_data(as_text=True)
        table = page[page.index('data-testid="across-boundary"'):]
        row = table[table.index('data-agency="LECHAN"'):]
        assert 'data-testid="for-others">0<' in row[:400] and 'data-testid="from-others">2<' in row[:400]
        assert 'data-agency="CATHAI"' not in table, "another ward's row is outside a ward supervisor's scope"


def test_the_interconnection_api_takes_the_competent_unit(db, user, agency, two_tier):
    from onestop.api.present import dossier_out, load_dossier_for_answer

    dossier = _receive(user, agency)
    db.session.flush()
    out = dossier_out(load_dossier_for_answer(dossier.id))
    assert out["competent_agency"]["code"] == "LECHAN" and out["receiving_agency"]["code"] == "HONGBANG"
    plain = _receive(user, agency, competent=None)
    db.session.flush()
    assert dossier_out(load_dossier_for_answer(plain.id))["competent_agency"] is None
