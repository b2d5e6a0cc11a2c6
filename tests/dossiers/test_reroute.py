"""The beat's second chance for routing (``dossiers/reroute.py``): it finds, from the database alone,
the open dossiers a lost message left unassigned, and routes each once."""
from datetime import timedelta

from sqlalchemy import func, select

from onestop.core import clock
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.operations import perform_action, receive_dossier
from onestop.dossiers.reroute import reroute_unassigned, stranded
from tests.conftest import APPLICANT, LAND_DOCS


def _assignments(db, dossier) -> int:
    return db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.action == "assign"))


def test_a_transfer_whose_message_was_lost_is_routed_once_after_the_grace(db, user, create_dossier):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")  # its route_dossier message never arrives
    db.session.commit()
    now = clock.now()
    assert (dossier.id, dossier.step_seq) not in stranded(now, 120)  # within the grace: its message may come
    later = now + timedelta(seconds=121)
    assert (dossier.id, dossier.step_seq) in stranded(later, 120)
    assert reroute_unassigned(later, 120) >= 1
    assert dossier.assignee == user("hb.officer")
    assert (dossier.id, dossier.step_seq) not in stranded(later, 120)
    assert reroute_unassigned(later, 120) == 0  # a second beat, or the late message, changes nothing
    assert _assignments(db, dossier) == 1


def test_assigned_dossiers_and_first_steps_are_left_alone(db, user, create_dossier):
    at_desk = create_dossier()  # the clerk who received it holds it
    handed_over = receive_dossier(user("hb.clerk"), procedure_code="1.013978", applicant=APPLICANT,
                                  documents=LAND_DOCS, desk=user("hb.clerk").agency)  # waits in the desk's queue
    db.session.commit()
    found = {i for i, _ in stranded(clock.now() + timedelta(days=1), 0)}
    assert handed_over.assignee is None and not {at_desk.id, handed_over.id} & found
