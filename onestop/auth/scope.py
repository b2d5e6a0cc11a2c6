"""The agencies a user's scope covers: their own, and for a supervisor every agency under it and
every agency a reorganisation dissolved into one of those.

Dossiers are scoped with this in ``dossiers/scope.py``; reports and lists of agencies use it directly.
"""
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User


def scope_agency_ids(user: User):
    """A subquery of the agency ids the user's scope covers."""
    if user.role == Role.ADMIN:
        return select(Agency.id).scalar_subquery()
    if user.role == Role.SUPERVISOR:
        # and the agencies dissolved into one of them (a reorganisation): their figures and history
        under = select(Agency.id).where(Agency.path.startswith(user.agency.path))
        return select(Agency.id).where(Agency.path.startswith(user.agency.path) | Agency.successor_id.in_(under)
                                       ).scalar_subquery()
    return select(Agency.id).where(Agency.id == user.agency_id).scalar_subquery()
