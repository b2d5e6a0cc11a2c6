"""Reception regardless of administrative boundary in the period statistics: for each agency, the
new dossiers its desk received for another unit to decide, and those other desks received for it.

The official table counts a dossier once, at the desk that received it; these two columns stand
beside it, outside its identities, so that a commune sees the work it took in for its neighbours
and the work its neighbours took in for it. A supervisor sees the rows of the agencies in scope,
and a pair is counted when either end is in scope.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.dossiers.models import Dossier
from onestop.reports.scope import scope_ids


@dataclass
class BoundaryRow:
    agency: Agency
    #: received at this agency's desk, decided by another unit
    for_others: int = 0
    #: received at another desk, decided by this agency
    from_others: int = 0


def across_boundary(session, user: User, window) -> list[BoundaryRow]:
    """One grouped statement over the new dossiers of the window received across a boundary."""
    d = Dossier
    ids = scope_ids(user)
    desk = d.received_desk_id
    pairs = session.execute(
        select(desk, d.competent_agency_id, func.count())
        .where(d.competent_agency_id.is_not(None), d.competent_agency_id != desk,
               d.received_at >= window.start, d.received_at < window.end,
               or_(desk.in_(ids), d.competent_agency_id.in_(ids)))
        .group_by(desk, d.competent_agency_id)).all()
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for desk_id, competent_id, n in pairs:
        counts[desk_id][0] += n
        counts[competent_id][1] += n
    shown = set(ids) & set(counts)
    agencies = session.scalars(select(Agency).where(Agency.id.in_(shown)).order_by(Agency.id)) if shown else []
    return [BoundaryRow(a, *counts[a.id]) for a in agencies]
