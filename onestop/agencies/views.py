"""Staff workspace: the inbox of dossiers the agency holds, the dossier page, actions."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from onestop.agencies.forms import ActionForm, AnswerForm, AssignForm, ConsultForm
from onestop.agencies.lists import tabbed_list
from onestop.agencies.models import Agency
from onestop.agencies.queries import inbox_tabs
from onestop.agencies.structure import structure
from onestop.auth.models import Role, User
from onestop.auth.scope import get_dossier_or_404
from onestop.core import clock
from onestop.core.workdays import current_calendar
from onestop.dossiers.attachment_forms import AttachmentForm
from onestop.dossiers.attachments_model import Attachment
from onestop.dossiers.consultations import Consultation
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import (
    OperationError,
    answer_consultation,
    assign,
    available_actions,
    can_attach,
    can_remove_attachment,
    can_request_consultation,
    engine,
    perform_action,
    request_consultation,
)
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
    return render_dossier(item, ActionForm())


def render_dossier(item: Dossier, form: ActionForm, status: int = 200, error: str | None = None,
                   attachment_form: AttachmentForm | None = None, **panels):
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
                           assign_form=assign_form, error=error, **_attachment_panel(item, procedure, attachment_form),
                           **_consultation_panel(item, **panels)), status


def _attachment_panel(item: Dossier, procedure, form: AttachmentForm | None) -> dict:
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.dossier_id == item.id, Attachment.removed_at.is_(None))
        .options(selectinload(Attachment.uploaded_by), selectinload(Attachment.agency))
        .order_by(Attachment.uploaded_at, Attachment.id)).all()
    if can_attach(item, current_user):
        form = form or AttachmentForm(procedure, formdata=None)
    else:
        form = None
    return {"attachments": attachments, "attachment_form": form,
            "removable": {a.id for a in attachments if can_remove_attachment(a, current_user)},
            "document_names": {d.key: d.name for d in procedure.documents},
            "copies": {key: [a for a in attachments if a.document == key] for key in {a.document for a in attachments}}}


@bp.post("/dossiers/<int:dossier_id>/action")
@login_required
def act(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_dossier(item, form, 422)
    try:
        perform_action(item, form.action.data, current_user, note=form.note.data)
    except OperationError as exc:
        db.session.rollback()
        return render_dossier(db.session.get(Dossier, dossier_id), form, 422, error=str(exc))
    db.session.commit()
    flash(_("Đã cập nhật hồ sơ %(code)s: %(step)s.", code=item.code,
            step=engine().procedure(item.procedure_code).step(item.step).name), "success")
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
            flash(_("Đã phân công lại."), "success")
    else:
        flash(_("Chọn người được giao."), "error")
    return redirect(url_for("agencies.dossier", dossier_id=dossier_id))


# --- consultation (xin ý kiến) ----------------------------------------------------------------

def _consultation_panel(item: Dossier, consult_form: ConsultForm | None = None,
                        answer_form: AnswerForm | None = None, answer_for: int | None = None) -> dict:
    """The dossier page's consultations: all of them, the form to ask, the form to answer."""
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.dossier_id == item.id)
        .options(selectinload(Consultation.to_agency), selectinload(Consultation.from_agency),
                 selectinload(Consultation.asked_by), selectinload(Consultation.answered_by))
        .order_by(Consultation.asked_at, Consultation.id)).all()
    if can_request_consultation(item, current_user):
        consult_form = consult_form or ConsultForm(formdata=None)
        _consultable(consult_form, item)
    else:
        consult_form = None
    answer_forms = {c.id: answer_form if c.id == answer_for and answer_form else AnswerForm(formdata=None)
                    for c in consultations if c.can_answer(current_user)}
    return {"consultations": consultations, "consult_form": consult_form, "answer_forms": answer_forms}


def _consultable(form: ConsultForm, item: Dossier) -> None:
    levels = {level: i for i, level in enumerate(structure().levels)}
    agencies = db.session.scalars(select(Agency).where(Agency.id != item.holder_agency_id)).all()
    agencies.sort(key=lambda a: (levels.get(a.level, len(levels)), a.path.count("/"), a.name))
    form.to_agency_id.choices = [SelectChoice(a.id, a.name) for a in agencies]


@bp.post("/dossiers/<int:dossier_id>/consult")
@login_required
def consult(dossier_id: int):
    item = get_dossier_or_404(current_user, dossier_id)
    form = ConsultForm()
    _consultable(form, item)
    if not form.validate_on_submit():
        return render_dossier(item, ActionForm(formdata=None), 422, consult_form=form)
    try:
        request_consultation(item, current_user, db.session.get(Agency, form.to_agency_id.data), form.question.data)
    except OperationError as exc:
        db.session.rollback()
        return render_dossier(db.session.get(Dossier, dossier_id), ActionForm(formdata=None), 422, error=str(exc),
                               consult_form=form)
    db.session.commit()
    flash(_("Đã gửi xin ý kiến."), "success")
    return redirect(url_for("agencies.dossier", dossier_id=dossier_id, _anchor="consultations"))


@bp.post("/consultations/<int:consultation_id>/answer")
@login_required
def answer(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    item = get_dossier_or_404(current_user, consultation.dossier_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_dossier(item, ActionForm(formdata=None), 422, answer_form=form, answer_for=consultation_id)
    try:
        answer_consultation(consultation, current_user, form.answer.data)
    except OperationError as exc:
        db.session.rollback()
        return render_dossier(db.session.get(Dossier, item.id), ActionForm(formdata=None), 422, error=str(exc),
                               answer_form=form, answer_for=consultation_id)
    db.session.commit()
    flash(_("Đã gửi ý kiến trả lời."), "success")
    return redirect(url_for("agencies.dossier", dossier_id=item.id, _anchor="consultations"))
