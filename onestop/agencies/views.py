"""Staff workspace: the inbox of dossiers the agency holds, the dossier page, actions."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from onestop.agencies.forms import ActionForm, AssignForm
from onestop.agencies.lists import tabbed_list
from onestop.agencies.queries import inbox_tabs
from onestop.auth.models import Role, User
from onestop.auth.scope import get_dossier_or_404
from onestop.core import clock
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import OperationError, assign, available_actions, engine, perform_action
from onestop.extensions import db
from onestop.notifications.operations import mark_read_for_dossier

bp = Blueprint("agencies", __name__)


@bp.get("/inbox")
@login_required
def inbox():
    """The agency's work, in tabs; within a tab the most urgent (soonest step due time) first."""
    now = clock.now()
    horizon = current_calendar().add_working_hours(now, current_app.config["ONESTOP_DUE_SOON_HOURS"])
    tabs = inbox_tabs(current_user, now, horizon)
    return tabbed_list(tabs, "agencies/inbox.html", "agencies.inbox", default="mine")


@bp.get("/dossiers/<int:dossier_id>")
@login_required
def dossier(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id)
    if mark_read_for_dossier(current_user.id, item.id):
        db.session.commit()
    return _render_dossier(item, ActionForm())


def _render_dossier(item: Dossier, form: ActionForm, status: int = 200, error: str | None = None):
    procedure = engine().procedure(item.procedure_code)
    events = db.session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == item.id)
        .options(selectinload(DossierEvent.actor), selectinload(DossierEvent.from_agency),
                 selectinload(DossierEvent.to_agency)).order_by(DossierEvent.id)).all()
    assign_form = None
    if current_user.role == Role.SUPERVISOR and current_user.agency_id == item.holder_agency_id and item.is_open:
        assign_form = AssignForm()
        assign_form.user_id.choices = [SelectChoice(u.id, f"{u.full_name} ({u.role.value})") for u in db.session.scalars(
            select(User).where(User.agency_id == item.holder_agency_id, User.active,
                               User.role != Role.ADMIN).order_by(User.full_name))]
    return render_template("agencies/dossier.html", dossier=item, procedure=procedure, events=events,
                           actions=available_actions(item, current_user), form=form,
                           assign_form=assign_form, error=error), status


@bp.post("/dossiers/<int:dossier_id>/action")
@login_required
def act(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_dossier(item, form, 422)
    try:
        perform_action(item, form.action.data, current_user, note=form.note.data)
    except OperationError as exc:
        db.session.rollback()
        return _render_dossier(db.session.get(Dossier, dossier_id), form, 422, error=str(exc))
    db.session.commit()
    flash(f"Đã cập nhật hồ sơ {item.code}: {engine().procedure(item.procedure_code).step(item.step).name}.",
          "success")
    if item.holder_agency_id == current_user.agency_id and item.is_open:
        return redirect(url_for("agencies.dossier", dossier_id=item.id))
    return redirect(url_for("auth.home"))


@bp.post("/dossiers/<int:dossier_id>/assign")
@login_required
def reassign(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id)
    form = AssignForm()
    form.user_id.choices = [SelectChoice(u.id, u.full_name) for u in db.session.scalars(
        select(User).where(User.agency_id == item.holder_agency_id, User.active))]
    if form.validate_on_submit():
        try:
            assign(item, db.session.get(User, form.user_id.data), actor=current_user)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Đã phân công lại.", "success")
    else:
        flash("Chọn người được giao.", "error")
    return redirect(url_for("agencies.dossier", dossier_id=dossier_id))
