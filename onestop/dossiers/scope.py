"""Agency scope over dossiers: the one helper every list and every lookup of dossiers goes through.

A staff member sees what their agency holds, has received, is competent to decide (received at
another desk for it) or has handled (an event of the dossier went to it: a step, or a request for
its opinion); a supervisor sees the same for their agency and every agency under it; an admin sees
everything. Outside scope is a 404, never a 403 with a hint.
"""
from flask import abort
from sqlalchemy import ColumnElement, exists, select, true

from onestop.auth.models import Role, User
from onestop.auth.scope import scope_agency_ids
from onestop.dossiers.door import load_locked
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.visits import remember, with_open_visit
from onestop.extensions import db


def dossier_scope(user: User) -> ColumnElement[bool]:
    if user.role == Role.ADMIN:
        return true()
    ids = scope_agency_ids(user)
    handled = exists().where(DossierEvent.dossier_id == Dossier.id, DossierEvent.to_agency_id.in_(ids))
    return (Dossier.holder_agency_id.in_(ids) | Dossier.receiving_agency_id.in_(ids)
            | Dossier.competent_agency_id.in_(ids) | handled)


def get_dossier_or_404(user: User, dossier_id: int, *, for_update: bool = False) -> Dossier:
    """The dossier when in the user's scope; ``for_update``: loaded with its lock, for a request
    that runs a verb on it (the door then does not read it again)."""
    query = select(Dossier).where(Dossier.id == dossier_id, dossier_scope(user))
    if not for_update:
        dossier = db.session.scalar(query)
    else:  # with its open visit, which a move closes
        row = load_locked(with_open_visit(query))
        dossier = row[0] if row is not None else None
        if dossier is not None:
            remember(dossier, row[1])
    if dossier is None:
        abort(404)
    return dossier
