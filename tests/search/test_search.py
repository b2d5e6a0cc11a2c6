"""The header search: by code (whole or prefix), name without accents, ID or phone, open and closed,
within the user's scope only."""
import pytest

from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Dossier
from onestop.search.queries import parse
from tests.conftest import LAND

AN = Applicant(name="Nguyễn Văn Ấn", id_number="031090009999", phone="0987654321", address="Hồng Bàng")
BINH = Applicant(name="Đỗ Thị Bình", id_number="031090008888", phone="0911222333", address="Ngô Quyền")


def _codes(client, q: str) -> str:
    answer = client.get("/search", query_string={"q": q})
    assert answer.status_code == 200, q
    return answer.get_data(as_text=True)


@pytest.fixture
def two(db, create_dossier):
    return create_dossier(applicant=AN), create_dossier(clerk="nq.clerk", applicant=BINH)


@pytest.mark.parametrize("q", ["nguyen van an", "NGUYEN VAN", "Nguyễn Văn Ấn", "van an", "  nguyễn   văn  ",
                               "031090009999", "0987 654 321", "+84 987654321", "０９８７６５４３２１"])
def test_finds_by_name_id_and_phone(db, client, login_as, two, q):
    an, _binh = two
    login_as("admin")
    assert f'data-code="{an.code}"' in _codes(client, q)


def test_finds_by_code_whole_or_prefix_open_or_closed(db, client, login_as, two):
    an, binh = two
    an.status, an.finished_at = "withdrawn", an.received_at
    db.session.flush()
    login_as("admin")
    assert f'data-code="{an.code}"' in _codes(client, an.code)
    assert f'data-code="{an.code}"' in _codes(client, an.code.lower())
    page = _codes(client, an.code[:7])
    assert f'data-code="{an.code}"' in page and f'data-code="{binh.code}"' not in page
    assert "Đã rút" in _codes(client, an.code)  # status shown, closed ones included


def test_only_within_scope(db, client, login_as, two):
    an, binh = two
    login_as("hb.clerk")
    page = _codes(client, "do thi binh")
    assert f'data-code="{binh.code}"' not in page and 'data-testid="search-empty"' in page
    assert f'data-code="{an.code}"' in _codes(client, "nguyen van an")
    login_as("nq.clerk")
    assert f'data-code="{an.code}"' not in _codes(client, an.code)
    login_as("hp.supervisor")  # the city's supervisor: everything under the city
    assert f'data-code="{binh.code}"' in _codes(client, "binh")


def test_results_in_the_users_language(db, client, login_as, two):
    an, _binh = two
    login_as("admin")
    client.get("/lang/en")
    page = _codes(client, "nguyen van an")
    assert "Find dossiers" in page and "Held by" in page and "Đang giải quyết" not in page
    assert an.holder_agency.name in page  # agency names stay as they are


@pytest.mark.parametrize("q", ["", "a", "%", "_", "%%%", "\x00", "a\x00b", "x" * 10_000, "' OR 1=1 --", "=cmd()",
                               "HB-99999999999", "٣", "🙂🙂🙂"])
def test_odd_input_is_answered_without_a_500(db, client, login_as, two, q):
    login_as("hb.officer")
    assert client.get("/search", query_string={"q": q}).status_code == 200


def test_percent_and_underscore_match_themselves(db, client, login_as, two):
    login_as("admin")
    assert 'data-testid="search-empty"' in _codes(client, "n%n")
    assert 'data-testid="search-empty"' in _codes(client, "ng_yen")


def test_needs_a_login(db, client):
    assert client.get("/search?q=x").status_code == 302


def test_every_staff_page_has_the_box(db, client, login_as):
    login_as("hb.clerk")
    page = client.get("/desk/").get_data(as_text=True)
    assert 'data-testid="header-search"' in page and "search.js" in page


def test_the_folded_name_follows_the_name(db, two):
    an, _binh = two
    assert an.applicant_name_folded == "nguyen van an"
    an.applicant_name = "Lê Đức Thọ"
    assert db.session.get(Dossier, an.id).applicant_name_folded == "le duc tho"


def test_parse():
    assert parse("HB-2612").kind == "code" and parse("0912.345.678").value == "0912345678"
    assert parse("an").kind == "short" and parse("Trần").value == "tran"


def test_finds_by_the_procedures_own_data_within_scope(db, client, login_as, user):
    from onestop.dossiers.operations import receive_dossier

    land = receive_dossier(user("hb.clerk"), procedure_code=LAND, applicant=AN, documents=[],
                           details={"parcel_number": "125", "map_sheet": "14", "area": 86.5})
    other = receive_dossier(user("nq.clerk"), procedure_code=LAND, applicant=BINH, documents=[],
                            details={"parcel_number": "125", "map_sheet": "9", "area": 40})
    db.session.commit()
    login_as("hb.officer")
    page = _codes(client, "Thửa đất số 125")
    assert f'data-code="{land.code}"' in page and f'data-code="{other.code}"' not in page  # the other district's
    assert f'data-code="{land.code}"' in _codes(client, "to ban do so: 14")
    assert f'data-code="{land.code}"' not in _codes(client, "thua 126")
    login_as("admin")
    page = _codes(client, "thua dat so 125")
    assert f'data-code="{land.code}"' in page and f'data-code="{other.code}"' in page
