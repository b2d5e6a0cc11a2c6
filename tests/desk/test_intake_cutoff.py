"""receive_dossier and a procedure's 15:00 cut-off: birth and death registration received after it
count from the next working day's opening (the appointment and the first step's due time), and the
receipt (slip 01) gives that appointment."""
import pytest

from onestop.core import clock
from onestop.dossiers.operations import receive_dossier
from onestop.dossiers.visits import open_visit
from tests.conftest import APPLICANT, vn

BIRTH, DEATH, MARRIAGE = "1.001193", "1.000656", "1.000894"
DOCUMENTS = {BIRTH: ["declaration", "birth_notice"], DEATH: ["declaration", "death_notice"], MARRIAGE: ["declaration"]}


def receive(user, code: str, at):
    with clock.frozen(at):
        return receive_dossier(user("hbmk.clerk"), procedure_code=code, applicant=APPLICANT,
                               documents=DOCUMENTS[code])


@pytest.mark.parametrize("code", [BIRTH, DEATH])
@pytest.mark.parametrize(("received_at", "due_at", "step_due_at"), [
    # before the cut-off: one working day from the receipt, as for any procedure
    (vn(2026, 12, 9, 14, 30), vn(2026, 12, 10, 14, 30), vn(2026, 12, 9, 16, 30)),
    (vn(2026, 12, 9, 15, 0), vn(2026, 12, 10, 15, 0), vn(2026, 12, 9, 17, 0)),
    # after it: from Thursday's opening
    (vn(2026, 12, 9, 15, 30), vn(2026, 12, 10, 17, 0), vn(2026, 12, 10, 9, 30)),
    # Friday after 15:00: from Monday
    (vn(2026, 12, 11, 16, 10), vn(2026, 12, 14, 17, 0), vn(2026, 12, 14, 9, 30)),
    # the eve of National Day 2026 (29 Aug-2 Sep off): from Thursday 3 September
    (vn(2026, 8, 28, 15, 45), vn(2026, 9, 3, 17, 0), vn(2026, 9, 3, 9, 30)),
    # received on a Saturday off: Monday's opening, not a day later
    (vn(2026, 12, 12, 16, 0), vn(2026, 12, 14, 17, 0), vn(2026, 12, 14, 9, 30)),
])
def test_due_times_count_from_the_next_working_day_after_the_cut_off(db, user, code, received_at, due_at,
                                                                         step_due_at):
    dossier = receive(user, code, received_at)
    assert dossier.received_at == received_at and dossier.step_started_at == received_at
    assert (dossier.due_at, dossier.step_due_at) == (due_at, step_due_at)


def test_a_procedure_without_a_cut_off_counts_from_the_receipt(db, user):
    dossier = receive(user, MARRIAGE, vn(2026, 12, 9, 15, 30))
    assert dossier.due_at == vn(2026, 12, 10, 15, 30)
    assert dossier.step_due_at == vn(2026, 12, 10, 8, 0)  # 1.5 h on Wednesday, 0.5 h on Thursday


def test_the_receipt_gives_the_next_days_appointment(client, login_as, db, user):
    dossier = receive(user, BIRTH, vn(2026, 12, 11, 15, 30))
    db.session.commit()
    login_as("hbmk.clerk")
    page = client.get(f"/desk/dossiers/{dossier.id}/receipt").get_data(as_text=True)
    assert "Thời gian nhận hồ sơ: 15 giờ 30 phút, ngày 11/12/2026." in page
    assert '<b data-testid="due-date">17 giờ 00 phút, ngày 14/12/2026</b>' in page
    assert "hồ sơ nhận sau 15 giờ 00 phút được tính từ ngày làm việc tiếp theo." in page


@pytest.mark.parametrize(("received_at", "remind_at"), [
    (vn(2026, 12, 9, 14, 30), vn(2026, 12, 9, 16, 0)),  # 75 % of the 2-hour first step, from the receipt
    (vn(2026, 12, 9, 15, 30), vn(2026, 12, 10, 9, 0)),  # after the cut-off: from Thursday's opening
])
def test_the_due_soon_reminder_counts_from_where_the_budget_starts(db, user, received_at, remind_at):
    assert open_visit(receive(user, BIRTH, received_at).id).remind_at == remind_at
