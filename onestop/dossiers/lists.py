"""A tabbed, filtered, paged list of dossiers: the staff inbox and the desk queue share it.

Each tab is one SQL predicate, and all tab counts come from one statement.
"""
from dataclasses import dataclass

from flask import current_app, render_template, request
from sqlalchemy import ColumnElement, false, func, select, tuple_
from sqlalchemy.orm import selectinload

from onestop.core.paging import paginate
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.workflows.engine import Engine, engine


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    predicate: ColumnElement[bool]
    #: what the tab lists: dossiers, or the online applications waiting at the desk
    source: type = Dossier
    #: the template of the list's rows, when they are not dossiers
    rows: str | None = None


def steps_where(engine: Engine, test) -> ColumnElement[bool]:
    """Dossiers standing at a step (of any procedure) for which ``test(step)`` holds."""
    pairs = [(p.code, s.key) for p in engine.all_versions() for s in p.steps if test(s)]
    return tuple_(Dossier.procedure_code, Dossier.step).in_(pairs) if pairs else false()




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
    page = paginate(query, per_page=current_app.config["PAGE_SIZE"], count=False)
    page.total = counts[current.key]
    return render_template(template, page=page, engine=engine(), tabs=tabs, current=current.key,
                           counts=counts, procedure_code=procedure_code, order=order, endpoint=endpoint,
                           rows_template=current.rows)


def tab_counts(tabs: list[Tab], procedure_code: str | None = None) -> dict[str, int]:
    """Every tab's count in one statement, a ``count(*)`` subquery per tab.

    Each subquery is planned on its own predicate, so it reads the tab's rows through its indexes
    (an agency's open dossiers, a user's assignments, the consultations to the agency). One pass
    summing a ``CASE`` per tab would instead read every dossier ever received, closed ones included,
    and evaluate every tab's subqueries on each.
    """
    columns = []
    for t in tabs:
        query = select(func.count()).select_from(t.source).where(t.predicate)
        if procedure_code is not None:
            query = query.where(t.source.procedure_code == procedure_code)
        columns.append(query.scalar_subquery().label(t.key))
    return {key: int(value) for key, value in db.session.execute(select(*columns)).one()._mapping.items()}
