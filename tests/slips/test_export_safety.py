"""Official exports open for everyone whatever a name holds: no control character breaks the file,
and nothing a citizen typed runs as a spreadsheet formula."""
from io import BytesIO

from openpyxl import load_workbook

from onestop.core import clock
from onestop.core.exports import Table, to_csv
from onestop.dossiers.applicant import Applicant
from tests.conftest import APPLICANT, vn

FORMULA = '=HYPERLINK("http://evil.example","Bấm vào đây")'


def _receive(create_dossier, name: str, address: str = APPLICANT.address):
    applicant = Applicant(name=name, id_number=APPLICANT.id_number, phone=APPLICANT.phone, address=address)
    with clock.frozen(vn(2026, 12, 7, 9, 0)):
        return create_dossier(applicant=applicant)


def test_a_control_character_in_a_stored_name_does_not_break_the_ledger(client, login_as, create_dossier):
    """Rows written before input was cleaned (or by another system) may hold an ESC."""
    _receive(create_dossier, "Nguyễn\x1b Văn\x0c An")
    for who in ("hb.clerk", "hp.supervisor"):
        login_as(who)
        response = client.get("/ledger?start=2026-12-07&end=2026-12-07")
        assert response.status_code == 200
        rows = [list(r) for r in load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True)]
        assert rows[5][2] == "Nguyễn Văn An"


def test_a_formula_in_a_name_is_written_as_text(client, login_as, create_dossier):
    _receive(create_dossier, FORMULA)
    login_as("hb.clerk")
    response = client.get("/ledger?start=2026-12-07&end=2026-12-07")
    sheet = load_workbook(BytesIO(response.data)).active
    name = sheet.cell(row=6, column=3)
    assert name.data_type == "s" and name.value == "'" + FORMULA


def test_csv_and_xlsx_cells_neutralise_formulas_and_controls():
    table = Table(title="T", subtitle="S", name="t", headers=[["a", "b"]],
                  rows=[["=1+1", "+84 912"], ["-2", "@SUM(A1)"], ["\x1bok", 3]])
    text = to_csv(table).decode("utf-8-sig")
    assert "'=1+1" in text and "'+84 912" in text and "'-2" in text and "'@SUM(A1)" in text and "\x1b" not in text
