"""Acting for an absent colleague: who a user stands in for on a dossier, and what that lets them press.

The stand-in is of the same agency, so ``Dossier.can_act`` (the holding agency's staff) already lets
them act; what the absence adds is the absent person's role on the dossiers assigned to them (an
officer standing in for their supervisor may approve what the supervisor would), and the name
written in the history: "X thay mặt Y".
"""
from onestop.auth.absences import current_absence
from onestop.auth.models import User
from onestop.extensions import db


def acting_for(dossier, user: User | None) -> User | None:
    """The absent assignee of ``dossier`` that ``user`` stands in for now, else None."""
    if user is None or dossier.assignee_id is None or dossier.assignee_id == user.id:
        return None
    absence = current_absence(dossier.assignee_id)
    if absence is None or absence.stand_in_id != user.id:
        return None
    return db.session.get(User, dossier.assignee_id)


def roles_of(dossier, user: User) -> set[str]:
    """The roles ``user`` may use on ``dossier`` now: their own, and the absent assignee's they stand in for."""
    roles = {user.role.value}
    absent = acting_for(dossier, user)
    if absent is not None and absent.agency_id == user.agency_id:
        roles.add(absent.role.value)
    return roles
