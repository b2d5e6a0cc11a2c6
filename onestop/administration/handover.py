"""Work that an account can no longer do goes back to routing.

When an account is deactivated, or changes role or agency, the open dossiers assigned to it are
unassigned (with a history line) and routed afresh by the worker, as a step entered anew is.
"""
from sqlalchemy import select

from onestop.auth.models import User
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.dossiers.models import OPEN_STATUSES, Dossier
from onestop.dossiers.operations import log_stay
from onestop.extensions import db


def hand_back_work(user: User, actor: User, note: str) -> int:
    """Unassign ``user``'s open dossiers and ask routing for each; how many there were."""
    dossiers = db.session.scalars(select(Dossier).where(
        Dossier.assignee_id == user.id, Dossier.status.in_(OPEN_STATUSES)).with_for_update()).all()
    for dossier in dossiers:
        dossier.assignee = None
        log_stay(dossier, actor, "assign", note)
        db.session.flush()
        enqueue(Task.ROUTE_DOSSIER, dossier_id=dossier.id, step_seq=dossier.step_seq)
    return len(dossiers)
