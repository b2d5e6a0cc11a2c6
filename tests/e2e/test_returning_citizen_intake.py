"""A returning citizen's dossier is logged with the keyboard, the details filled in from the
earlier dossier: the journey that ``bench/intake_bench.py`` times, run once per procedure.

Speed is the bench's business; this test holds the count of keys to a budget, so it fails when
the pre-fill or the keyboard flow breaks (a focus that does not move, a field to type again).
"""
import pytest
from sqlalchemy import select

from bench.intake_bench import CITIZEN, CLERK, JOURNEYS, log_dossier
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Dossier
from onestop.workflows.engine import engine
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

#: keys per journey: menu 1 + search and Enter + Space/Tab through the checklist + the procedure's own
#: data or its fee's counts, a Tab after each + Tab over the applicant's kind + 12 ID digits
#: + (ArrowRight for the post) + Enter
KEY_BUDGET = {"2.000815": 1 + 11 + 4 + (1 + 1) + 1 + 1 + 12 + 1,  # 2 pages; copies left at 1
              "1.013978": 1 + 16 + 10 + (3 + 1) + (2 + 1) + (4 + 1) + 1 + 12 + 2}  # parcel, map sheet, area


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.procedure for j in JOURNEYS])
def test_returning_citizen_is_logged_with_few_keys(journey, committed, create_dossier, browser_page, login):
    earlier = create_dossier(clerk=CLERK, procedure="2.000815", applicant=Applicant(
        name=CITIZEN.name, id_number=CITIZEN.id_number, phone=CITIZEN.phone, address=CITIZEN.address,
        email=CITIZEN.email))
    earlier_code = earlier.code
    committed.session.rollback()  # end the transaction: on SQLite it would hold the live server's lock

    page = browser_page
    login(page, CLERK)
    run = log_dossier(page, journey, CITIZEN, snapshot=lambda name: screenshot(
        page, f"returning-citizen-{journey.procedure}-{name}"))

    assert run.prefilled == {"name": CITIZEN.name, "phone": CITIZEN.phone, "email": CITIZEN.email,
                             "address": CITIZEN.address}
    assert run.keys <= KEY_BUDGET[journey.procedure], run.keys_by_stage
    assert page.locator(".slip").inner_text().count(CITIZEN.name) >= 1

    committed.session.rollback()
    dossier = committed.session.scalar(select(Dossier).where(Dossier.code == run.code))
    assert dossier is not None and dossier.code != earlier_code
    assert dossier.procedure_code == journey.procedure
    assert (dossier.applicant_name, dossier.applicant_phone, dossier.applicant_email, dossier.applicant_address) == (
        CITIZEN.name, CITIZEN.phone, CITIZEN.email, CITIZEN.address)
    assert dossier.applicant_id_number == CITIZEN.id_number
    assert dossier.delivery_method == journey.delivery
    required = {d.key for d in engine().procedure(journey.procedure).required_documents()}
    assert set(dossier.documents) == required
    committed.session.rollback()
