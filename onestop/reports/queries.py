"""Set-based reads for supervisor reports."""
from sqlalchemy import case, func, select

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.auth.scope import scope_agency_ids
from onestop.core import clock
from onestop.dossiers.models import Dossier, Status


def overdue_dossiers(user: User):
    """Open, processing dossiers past their overall or step due time, in the user's agency subtree."""
    now = clock.now()
    return (select(Dossier, Agency)
            .join(Agency, Agency.id == Dossier.holder_agency_id)
            .where(Dossier.status == Status.PROCESSING,
                   (Dossier.due_at < now) | (Dossier.step_due_at < now),
                   Dossier.holder_agency_id.in_(scope_agency_ids(user)))
            .order_by(Agency.path, Dossier.due_at))


def overdue_counts(user: User):
    """(agency, overdue count, of which past the appointment date) per agency, one query."""
    now = clock.now()
    return (select(Agency, func.count(Dossier.id), func.sum(case((Dossier.due_at < now, 1), else_=0)))
            .join(Dossier, Dossier.holder_agency_id == Agency.id)
            .where(Dossier.status == Status.PROCESSING,
                   (Dossier.due_at < now) | (Dossier.step_due_at < now),
                   Agency.id.in_(scope_agency_ids(user)))
            .group_by(Agency.id).order_by(Agency.path))
