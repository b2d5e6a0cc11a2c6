"""Casework: the staff inbox of dossiers the agency holds, the dossier page, actions, reassignment."""
from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from onestop.auth.access import access
from onestop.auth.models import Role, User
from onestop.casework.forms import ActionForm, AssignForm
from onestop.casework.queries import inbox_tabs
from onestop.core import clock
from onestop.core.submit import submit
from onestop.core.workdays import current_calendar
from onestop.dossiers.lists import tabbed_list
from onestop.dossiers.models import Dossier
from onestop.dossiers.notices import mark_read_for_dossier
from onestop.dossiers.operations import assign, available_actions, can_work_on_step, perform_action
from onestop.dossiers.page import panel, render_dossier_page
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db
from onestop.workflows.engine import engine

bp = Blueprint("casework", __name__)


@bp.get("/inbox")
@access("staff")
def inbox():
    """The agency's work, in tabs; within a tab the most urgent (soonest step due time) first."""
    now = clock.now()
    horizon = current_calendar().add_working_hours(now, current_app.config["ONESTOP_DUE_SOON_HOURS"])
    tabs = inbox_tabs(current_user, now, horizon)
    return tabbed_list(tabs, "casework/inbox.html", "casework.inbox", default="mine")


@bp.get("/dossiers/<int:dossier_id>")
@access("dossier")
def dossier(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id)
    if mark_read_for_dossier(current_user.id, item.id):
        db.session.commit()
    return render_dossier_page(item)


def _assignable(dossier: Dossier) -> list[SelectChoice]:
    """The holding agency's active staff whose role can act on the dossier's step."""
    return [SelectChoice(u.id, f"{u.full_name} ({u.role.value})") for u in db.session.scalars(
        select(User).where(User.agency_id == dossier.holder_agency_id, User.active,
                           User.role != Role.ADMIN).order_by(User.full_name)) if can_work_on_step(dossier, u)]


@panel("casework/_actions.html", slot="side")
def _actions_panel(dossier: Dossier, user, forms: dict) -> dict:
    """The actions the user may press now, with the note; the reassignment form for a supervisor."""
    assign_form = None
    if dossier.can_assign(user):
        assign_form = forms.get("assign_form") or AssignForm(formdata=None)
        assign_form.user_id.choices = _assignable(dossier)
    return {"actions": available_actions(dossier, user), "form": forms.get("form") or ActionForm(formdata=None),
            "assign_form": assign_form}


@bp.post("/dossiers/<int:dossier_id>/action")
@access("dossier")
def act(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id, for_update=True)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_dossier_page(item, status=422, form=form)

    def done(event):
        flash(_("Đã cập nhật hồ sơ %(code)s: %(step)s.", code=item.code,
                step=engine().of(item).step(item.step).name), "success")
        if item.holder_agency_id == current_user.agency_id and item.is_open:
            return redirect(url_for("casework.dossier", dossier_id=item.id))
        return redirect(url_for("auth.home"))

    return submit(lambda: perform_action(item, current_user, form.action.data, note=form.note.data), then=done,
                  otherwise=lambda reason: render_dossier_page(db.session.get(Dossier, dossier_id), status=422,
                                                               error=reason, form=form))


@bp.post("/dossiers/<int:dossier_id>/assign")
@access("dossier")
def reassign(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id, for_update=True)
    form = AssignForm()
    form.user_id.choices = _assignable(item)
    if not form.validate_on_submit():
        return render_dossier_page(item, status=422, assign_form=form)

    def done(event):
        flash(_("Đã phân công lại."), "success")
        return redirect(url_for("casework.dossier", dossier_id=dossier_id))

    return submit(lambda: assign(item, current_user, db.session.get(User, form.user_id.data)), then=done,
                  otherwise=lambda reason: render_dossier_page(db.session.get(Dossier, dossier_id), status=422,
                                                               error=reason, assign_form=form))
