"""The one scope filter of the reports: the user's agency subtree, optionally narrowed to some
agencies and one procedure, on whichever agency column a report counts by (the receiving desk for
the period statistics, the holder for what is overdue now)."""
from flask import g
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.auth.scope import scope_agency_ids
from onestop.dossiers.models import Dossier
from onestop.extensions import db


def scope_ids(user: User) -> list[int]:
    """The ids of the agencies in the user's scope (``scope_agency_ids``), read once per request.

    Reports filter on this short list rather than on the subquery: the planner then reads one
    index for all agencies instead of looping over them."""
    key = ("_report_scope", user.id)
    cached = g.get("_report_scope")
    if cached is None or cached[0] != key:
        ids = list(db.session.scalars(select(Agency.id).where(Agency.id.in_(scope_agency_ids(user)))))
        g._report_scope = cached = (key, ids)
    return cached[1]


def within(user: User, agency_column, agency_ids=None, procedure_code: str | None = None, d=Dossier) -> list:
    """WHERE terms: ``agency_column`` in the user's scope (and in ``agency_ids``), the procedure."""
    where = [agency_column.in_(scope_ids(user))]
    if agency_ids is not None:
        where.append(agency_column.in_(agency_ids))
    if procedure_code:
        where.append(d.procedure_code == procedure_code)
    return where
