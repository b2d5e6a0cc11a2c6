"""A tabbed, filtered, paged list of dossiers: the staff inbox and the desk queue share it."""
from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.agencies.queries import Tab, tab_counts
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import engine
from onestop.extensions import db


def tabbed_list(tabs: list[Tab], template: str, endpoint: str, default: str):
    """Shared by the inbox and the desk queue: tab, procedure filter, due-order, paging, counts."""
    by_key = {t.key: t for t in tabs}
    current = by_key.get(request.args.get("tab", default), by_key[default])
    procedure_code = request.args.get("procedure", "")
    order = "desc" if request.args.get("order") == "desc" else "asc"
    filtered = procedure_code if engine().has(procedure_code) else None
    source = current.source
    query = select(source).where(current.predicate)
    if filtered is not None:
        query = query.where(source.procedure_code == filtered)
    if source is Dossier:
        due = Dossier.step_due_at.desc().nulls_last() if order == "desc" else Dossier.step_due_at.asc().nulls_last()
        query = query.options(selectinload(Dossier.assignee), selectinload(Dossier.holder_agency)).order_by(
            due, Dossier.due_at, Dossier.id)
    else:  # online applications: the oldest first, each to be decided within a working day
        query = query.order_by(source.submitted_at.desc() if order == "desc" else source.submitted_at, source.id)
    counts = tab_counts(tabs, filtered)
    # the current tab's count is the list's total: paging needs no count query of its own
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False, count=False)
    page.total = counts[current.key]
    return render_template(template, page=page, engine=engine(), tabs=tabs, current=current.key,
                           counts=counts, procedure_code=procedure_code, order=order, endpoint=endpoint,
                           rows_template=current.rows)
