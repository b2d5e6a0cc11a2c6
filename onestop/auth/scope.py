"""Agency scope: the one helper every list and every lookup of dossiers goes through.

A staff member sees what their agency holds, has handled or is consulted on; a supervisor sees the
same for their agency and every agency under it; an admin sees everything. Outside scope is a 404.
"""
from flask import abort
from sqlalchemy import ColumnElement, exists, select, true

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.dossiers.consultations import Consultation
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.extensions import db


def scope_agency_ids(user: User):
    """A subquery of the agency ids the user's scope covers."""
    if user.role == Role.ADMIN:
        return select(Agency.id).scalar_subquery()
    if user.role == Role.SUPERVISOR:
        return select(Agency.id).where(Agency.path.startswith(user.agency.path)).scalar_subquery()
    return select(Agency.id).where(Agency.id == user.agency_id).scalar_subquery()


def dossier_scope(user: User) -> ColumnElement[bool]:
    if user.role == Role.ADMIN:
        return true()
    ids = scope_agency_ids(user)
    handled = exists().where(DossierEvent.dossier_id == Dossier.id, DossierEvent.to_agency_id.in_(ids))
    consulted = exists().where(Consultation.dossier_id == Dossier.id, Consultation.to_agency_id.in_(ids))
    return Dossier.holder_agency_id.in_(ids) | Dossier.receiving_agency_id.in_(ids) | handled | consulted


def get_dossier_or_404(user: User, dossier_id: int) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.id == dossier_id, dossier_scope(user)))
    if dossier is None:
        abort(404)
    return dossier
