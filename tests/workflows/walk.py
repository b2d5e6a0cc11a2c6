"""Walking a dossier along a procedure's main path, by the demo user of each step's holder (shared
by the walks on the three-tier and the two-tier trees)."""
from onestop.api.systems import account_of
from onestop.dossiers.models import Status
from onestop.dossiers.operations import perform_action, receive_dossier, return_result
from onestop.workflows.engine import engine
from tests.conftest import APPLICANT
from tests.helpers import before

MAIN_PATH = ("forward", "sign", "approve", "send_result", "supplement_received", "return_result")


def walk_main_path(db, user, code: str, desk: str, competent=None):
    """Receive at ``desk`` (for the ``competent`` unit, an ``Agency``, when given) and move along
    the main path (forward, sign, approve, send_result, supplement_received, return_result);
    returns the dossier and the (step, holder code) walked."""
    procedure = engine().receivable(code)
    dossier = receive_dossier(user(f"{desk.lower()}.clerk"), procedure_code=code, applicant=APPLICANT,
                              documents=[d.key for d in procedure.documents], competent=competent)
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
    return dossier, walked


def assert_returned(dossier, walked, desk: str) -> None:
    assert dossier.step == "done", walked
    assert dossier.status == Status.DONE and dossier.finished_at is not None
    assert walked[-1] == ("done", desk), "the result goes back to the desk that received the dossier"
    assert len([e for e in dossier.events if e.is_move]) == len(walked)
