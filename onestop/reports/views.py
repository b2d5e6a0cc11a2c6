"""Supervisor reports: overdue now, the official statistics of a period, bottlenecks, trends.

Every page and every list is limited to the user's agency subtree (``scope_agency_ids``) and is
for supervisors and admins only (others get a 404, as for anything outside their scope). Each page
also answers ``?format=csv`` and ``?format=xlsx`` with the same figures.
"""
from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from onestop.agencies.models import Agency
from onestop.auth.access import access
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.exports import FORMATS, send
from onestop.core.i18n import on_paper
from onestop.core.paging import paginate
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.online.models import OnlineApplication
from onestop.ratings.models import BAD_REASONS, GOOD_REASONS
from onestop.reports import bottlenecks, boundary, online, queries, satisfaction, statistics, tables, trends
from onestop.reports import fees as fee_report
from onestop.reports.charts import Series, bar_chart
from onestop.reports.periods import Period, PeriodError, local_today
from onestop.reports.workclock import analytic_transaction, working_clock
from onestop.workflows.engine import engine

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
def analytic():
    """Every report runs its statements with the planner settings for reports (who may see them is
    each view's ``@access("supervisor")``)."""
    analytic_transaction(db.session)


@bp.after_request
def keep_working_days(response):
    """The working-day table was brought up to date for this request: keep it."""
    if g.pop("report_days_written", False):
        db.session.commit()
    if g.pop("period_refused", False) and response.status_code == 200:
        response.status_code = 422
    return response


# -- helpers -----------------------------------------------------------------------------------------
def scope_name(user: User) -> str:
    if user.role == Role.ADMIN:
        return _("Tất cả cơ quan")
    return _("%(agency)s và các đơn vị trực thuộc", agency=user.agency.name)


def exports_in_vietnamese(view):
    """The CSV and XLSX files (``?format=``) are official reports, in Vietnamese whatever the language
    of the pages (as the slips are); the pages follow the user's language."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.args.get("format"):
            with on_paper():
                return view(*args, **kwargs)
        return view(*args, **kwargs)
    return wrapper


def _format() -> str | None:
    fmt = request.args.get("format")
    if fmt is not None and fmt not in FORMATS:
        abort(404)
    return fmt


def _period() -> Period:
    """The period the link or the form asks for; when it cannot be one, the current month, the reason
    shown above the report and the page answered 422 (``keep_working_days``)."""
    today = local_today(clock.now())
    try:
        return Period.from_args(request.args, today)
    except PeriodError as exc:
        flash(str(exc), "error")
        g.period_refused = True
        return Period.from_args({}, today)


def _agency_in_scope(agency_id) -> Agency | None:
    """The agency named in the link, if it is in the user's scope (else 404)."""
    if not agency_id:
        return None
    try:
        wanted = int(agency_id)
    except ValueError:
        abort(404)
    agencies, _ = statistics.scope_tree(db.session, current_user)
    found = next((a for a in agencies if a.id == wanted), None)
    if found is None:
        abort(404)
    return found


def _paginate(query, scalars: bool = False):
    return paginate(query, per_page=current_app.config["PAGE_SIZE"], rows=not scalars)


# -- overdue now ---------------------------------------------------------------------------------------
@bp.get("/overdue")
@exports_in_vietnamese
@access("supervisor")
def overdue():
    now = clock.now()
    report = queries.build(db.session, current_user, now, working_clock())
    fmt = _format()
    if fmt:
        return send(tables.overdue(report, scope_name(current_user), _scope_code()), fmt)
    return render_template("reports/overdue.html", report=report, engine=engine(), scope=scope_name(current_user),
                           due_soon_hours=current_app.config["ONESTOP_DUE_SOON_HOURS"],
                           late_online=online.count_late(current_user, now))


@bp.get("/overdue/online")
@access("supervisor")
def overdue_online():
    """The online applications no desk has received or refused within a working day."""
    now = clock.now()
    page = _paginate(online.late_applications(current_user, now).options(
        selectinload(OnlineApplication.desk_agency)), scalars=True)
    return render_template("reports/online_late.html", page=page, engine=engine(), now=now,
                           where=scope_name(current_user))


@bp.get("/overdue/dossiers")
@exports_in_vietnamese
@access("supervisor")
def overdue_list():
    kind = request.args.get("kind", "overdue")
    if kind not in queries.KINDS:
        abort(404)
    agency = _agency_in_scope(request.args.get("agency"))
    procedure_code = request.args.get("procedure") or None
    now = clock.now()
    horizon = queries.due_soon_horizon(now)
    query = queries.list_query(current_user, kind, now, horizon, working_clock(),
                               queries.subtree_ids(agency) if agency else None, procedure_code)
    title = queries.KINDS[kind]
    where = agency.name if agency else scope_name(current_user)
    fmt = _format()
    if fmt:
        rows = db.session.execute(query).all()
        return send(tables.overdue_list(rows, title, where, procedure_code, now, _scope_code(agency)), fmt)
    agencies = {a.id: a for a in statistics.scope_tree(db.session, current_user)[0]}
    return render_template("reports/overdue_list.html", page=_paginate(query), kind=kind, title=title, where=where,
                           agency=agency, procedure_code=procedure_code, agencies=agencies, engine=engine(), now=now)


def _scope_code(agency: Agency | None = None) -> str:
    if agency is not None:
        return agency.code
    return "ALL" if current_user.role == Role.ADMIN else current_user.agency.code


# -- official statistics ---------------------------------------------------------------------------------
@bp.get("/statistics")
@exports_in_vietnamese
@access("supervisor")
def statistics_page():
    period = _period()
    report = statistics.build(db.session, current_user, period, clock.now())
    across = boundary.across_boundary(db.session, current_user, report.window)
    fmt = _format()
    if fmt:
        return send(tables.statistics(report, scope_name(current_user), _scope_code(), across), fmt)
    return render_template("reports/statistics.html", report=report, period=period, scope=scope_name(current_user),
                           groups=statistics.GROUPS, categories=statistics.BY_KEY, across=across)


@bp.get("/statistics/dossiers")
@exports_in_vietnamese
@access("supervisor")
def statistics_list():
    period = _period()
    category = statistics.BY_KEY.get(request.args.get("category", "received"))
    if category is None:
        abort(404)
    agency = _agency_in_scope(request.args.get("agency"))
    own = request.args.get("own") == "1"
    agency_ids = ([agency.id] if own else queries.subtree_ids(agency)) if agency else None
    procedure_code = request.args.get("procedure") or None
    w = statistics.Window.of(period, clock.now())
    query = statistics.dossiers_query(w, current_user, category, agency_ids, procedure_code)
    where = (_("%(agency)s (riêng đơn vị)", agency=agency.name) if own else agency.name) if agency else scope_name(current_user)
    fmt = _format()
    if fmt:
        dossiers = db.session.scalars(query.options(selectinload(Dossier.receiving_agency),
                                                    selectinload(Dossier.holder_agency))).all()
        return send(tables.statistics_list(dossiers, category, period, where, procedure_code, _scope_code(agency)), fmt)
    page = _paginate(query.options(selectinload(Dossier.receiving_agency), selectinload(Dossier.holder_agency),
                                   selectinload(Dossier.assignee)), scalars=True)
    return render_template("reports/statistics_list.html", page=page, category=category, period=period, where=where,
                           agency=agency, own=own, procedure_code=procedure_code, engine=engine(),
                           procedure_name=statistics.procedure_info(procedure_code)[0] if procedure_code else None)


# -- bottlenecks -----------------------------------------------------------------------------------------
@bp.get("/bottlenecks")
@exports_in_vietnamese
@access("supervisor")
def bottlenecks_page():
    period = _period()
    now = clock.now()
    w = statistics.Window.of(period, now)
    load = db.session.execute(queries.load_query(current_user, now, queries.due_soon_horizon(now))).all()
    report = bottlenecks.build(db.session, current_user, w, load)
    agencies = {a.id: a for a in statistics.scope_tree(db.session, current_user)[0]}
    fmt = _format()
    if fmt:
        return send(tables.bottlenecks(report, period, agencies, scope_name(current_user), _scope_code()), fmt)
    return render_template("reports/bottlenecks.html", report=report, period=period, agencies=agencies,
                           scope=scope_name(current_user))


# -- trends ------------------------------------------------------------------------------------------------
@bp.get("/trends")
@exports_in_vietnamese
@access("supervisor")
def trends_page():
    months = trends.build(db.session, current_user, clock.now())
    fmt = _format()
    if fmt:
        return send(tables.trends(months, scope_name(current_user), _scope_code()), fmt)
    labels = [f"{m.period.first:%m/%Y}" for m in months]
    series = [Series(name, color, [getattr(m, key) for m in months],
                     [url_for("reports.statistics_list", p=m.period.token, category=key) for m in months])
              for key, name, color in trends.SERIES]
    chart = bar_chart(labels, series, title=_("Hồ sơ tiếp nhận, giải quyết và giải quyết quá hạn theo tháng"))
    return render_template("reports/trends.html", months=months, chart=chart, series=trends.SERIES,
                           scope=scope_name(current_user))


# -- fees ---------------------------------------------------------------------------------------------------
@bp.get("/fees")
@exports_in_vietnamese
@access("supervisor")
def fees_page():
    """What the desks of the scope collected and refunded in the period, by desk and procedure."""
    period = _period()
    report = fee_report.build(db.session, current_user, statistics.Window.of(period, clock.now()))
    fmt = _format()
    if fmt:
        return send(fee_report.table(report, period, scope_name(current_user), _scope_code()), fmt)
    return render_template("reports/fees.html", report=report, period=period, scope=scope_name(current_user))


# -- satisfaction beside the Decision 766 indicators ---------------------------------------------------------
@bp.get("/satisfaction")
@exports_in_vietnamese
@access("supervisor")
def satisfaction_page():
    period = _period()
    report = satisfaction.build(db.session, current_user, period, clock.now())
    fmt = _format()
    if fmt:
        return send(satisfaction.table(report, period, scope_name(current_user), _scope_code()), fmt)
    return render_template("reports/satisfaction.html", report=report, period=period, scope=scope_name(current_user),
                           reason_labels={**GOOD_REASONS, **BAD_REASONS})
