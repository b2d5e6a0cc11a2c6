"""Consultation (xin ý kiến) on the dossier page: the panel, asking, answering."""
from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.auth.access import access
from onestop.consultations.forms import AnswerForm, ConsultForm
from onestop.consultations.models import Consultation
from onestop.consultations.operations import answer_consultation, request_consultation
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier
from onestop.dossiers.page import panel, render_dossier_page
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db

bp = Blueprint("consultations", __name__)


@panel("consultations/_panel.html", order=30)
def _panel(dossier: Dossier, user, forms: dict) -> dict:
    """All the dossier's consultations, the form to ask, a form to answer each open one asked of the user."""
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.dossier_id == dossier.id)
        .options(selectinload(Consultation.to_agency), selectinload(Consultation.from_agency),
                 selectinload(Consultation.asked_by), selectinload(Consultation.answered_by))
        .order_by(Consultation.asked_at, Consultation.id)).all()
    consult_form = None
    if dossier.can_consult(user):
        consult_form = forms.get("consult_form") or ConsultForm(formdata=None)
        _consultable(consult_form, dossier)
    answer_for, answer_form = forms.get("answer_for"), forms.get("answer_form")
    answer_forms = {c.id: answer_form if c.id == answer_for and answer_form else AnswerForm(formdata=None)
                    for c in consultations if c.can_answer(user)}
    return {"consultations": consultations, "consult_form": consult_form, "answer_forms": answer_forms}


def _consultable(form: ConsultForm, dossier: Dossier) -> None:
    """Every agency but the holder, the higher levels first."""
    levels = {level: i for i, level in enumerate(structure().levels)}
    agencies = db.session.scalars(select(Agency).where(Agency.id != dossier.holder_agency_id)).all()
    agencies.sort(key=lambda a: (levels.get(a.level, len(levels)), a.path.count("/"), a.name))
    form.to_agency_id.choices = [SelectChoice(a.id, a.name) for a in agencies]


def _back(dossier_id: int):
    return redirect(url_for("casework.dossier", dossier_id=dossier_id, _anchor="consultations"))


@bp.post("/dossiers/<int:dossier_id>/consult")
@access("dossier")
def consult(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = ConsultForm()
    _consultable(form, dossier)
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, consult_form=form)

    def done(_consultation):
        flash(_("Đã gửi xin ý kiến."), "success")
        return _back(dossier_id)

    return submit(
        lambda: request_consultation(dossier, current_user, db.session.get(Agency, form.to_agency_id.data),
                                     form.question.data),
        then=done, otherwise=lambda reason: render_dossier_page(
            db.session.get(Dossier, dossier_id), status=422, error=reason, consult_form=form))


@bp.post("/consultations/<int:consultation_id>/answer")
@access("dossier")
def answer(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    dossier = get_dossier_or_404(current_user, consultation.dossier_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, answer_form=form, answer_for=consultation_id)

    def done(_consultation):
        flash(_("Đã gửi ý kiến trả lời."), "success")
        return _back(dossier.id)

    return submit(lambda: answer_consultation(consultation, current_user, form.answer.data), then=done,
                  otherwise=lambda reason: render_dossier_page(
                      db.session.get(Dossier, dossier.id), status=422, error=reason, answer_form=form,
                      answer_for=consultation_id))
