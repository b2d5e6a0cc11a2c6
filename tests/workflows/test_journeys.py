"""Every procedure of the catalogue walked from the desk to its result through the operations door.

Received at a demo desk of its level, the dossier is moved along the main path (forward, sign,
approve, send_result, supplement_received, return_result) by a demo user of the agency holding
each step, in the role the step asks for; it must end returned, with one event per move.
"""
import pytest

from onestop.api.systems import account_of
from onestop.dossiers.models import Status
from onestop.dossiers.operations import perform_action, receive_dossier, return_result
from tests.conftest import APPLICANT
from tests.helpers import before
from tests.workflows.demo_desks import CATALOGUE, receiving_desk_code

MAIN_PATH = ("forward", "sign", "approve", "send_result", "supplement_received", "return_result")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_main_path_reaches_the_result(db, user, code):
    procedure = CATALOGUE[code]
    desk = receiving_desk_code(procedure)
    dossier = receive_dossier(user(f"{desk.lower()}.clerk"), procedure_code=code, applicant=APPLICANT,
                              documents=[d.key for d in procedure.documents])
    db.session.flush()
    walked = [(dossier.step, dossier.holder_agency.code)]
    for _ in range(len(procedure.steps) * 2):
        step = procedure.step(dossier.step)
        if step.is_final:
            break
        action = next(a for a in MAIN_PATH if step.action(a) is not None)
        # a step held by another system is acted on by that system's account (through the API)
        actor = account_of(dossier.holder_agency) or user(
            f"{dossier.holder_agency.code.lower()}.{step.action(action).role or step.role}")
        assert actor is not None, f"no demo user for {step.key} at {dossier.holder_agency.code}"
        before(dossier, actor, action)
        if action == "return_result":
            return_result(dossier, actor, recipient=APPLICANT.name)
        else:
            perform_action(dossier, actor, action, note="Đồng ý")
        walked.append((dossier.step, dossier.holder_agency.code))
    assert dossier.step == "done", walked
    assert dossier.status == Status.DONE and dossier.finished_at is not None
    assert walked[-1] == ("done", desk), "the result goes back to the desk that received the dossier"
    assert len([e for e in dossier.events if e.is_move]) == len(walked)


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
