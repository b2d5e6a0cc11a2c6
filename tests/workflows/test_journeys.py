"""Every procedure of the catalogue walked from the desk to its result through the operations door.

Received at a demo desk of its level, the dossier is moved along the main path (forward, sign,
approve, send_result, supplement_received, return_result) by a demo user of the agency holding
each step, in the role the step asks for; it must end returned, with one event per move.
"""
import pytest

from onestop.core import clock
from onestop.dossiers.models import Status
from onestop.dossiers.operations import perform_action, receive_dossier
from tests.conftest import APPLICANT, vn
from tests.workflows.demo_desks import CATALOGUE, THREE_TIER_DAY, receiving_desk_code
from tests.workflows.walk import assert_returned, walk_main_path


@pytest.fixture(autouse=True)
def three_tier_era():
    """The three-tier tree is the shape before 1 July 2025: its dossiers are received then."""
    with clock.frozen(vn(THREE_TIER_DAY.year, THREE_TIER_DAY.month, THREE_TIER_DAY.day, 9)):
        yield


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_main_path_reaches_the_result(db, user, code):
    desk = receiving_desk_code(CATALOGUE[code])
    dossier, walked = walk_main_path(db, user, code, desk)
    assert dossier.procedure_version == CATALOGUE[code].version
    assert_returned(dossier, walked, desk)


def test_land_transfer_waits_for_the_tax_payment_with_the_clock_stopped(db, user):
    procedure = CATALOGUE["HP-DD-01"]
    dossier = receive_dossier(user("hbmk.clerk"), procedure_code="HP-DD-01", applicant=APPLICANT,
                              documents=[d.key for d in procedure.required_documents()])
    db.session.flush()
    for action, username in [("forward", "hbmk.clerk"), ("forward", "hb.officer"), ("forward", "hbmk.officer"),
                             ("forward", "hb.officer"), ("forward", "cthp.officer")]:
        perform_action(dossier, user(username), action, note="ok")
    assert (dossier.step, dossier.holder_agency.code, dossier.status) == ("tax_payment", "HBMK", Status.SUPPLEMENT)
    assert dossier.step_due_at is None and dossier.paused_at is not None
    perform_action(dossier, user("hbmk.clerk"), "supplement_received", documents=[
        *dossier.documents, "tax_receipt"])
    assert (dossier.step, dossier.holder_agency.code, dossier.status) == (
        "registry_appraisal", "HB", Status.PROCESSING)
    assert dossier.paused_at is None and "tax_receipt" in dossier.documents
