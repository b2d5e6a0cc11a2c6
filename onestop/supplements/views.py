"""Supplement rounds on the dossier page: the officer's request with the missing documents, the
desk's receipt of what came, and the rounds so far."""
from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from onestop.auth.access import access
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import available_actions
from onestop.dossiers.page import panel, render_dossier_page
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db
from onestop.supplements.forms import ReceiveSupplementForm, RequestSupplementForm
from onestop.supplements.models import OUTCOME_LABELS
from onestop.supplements.operations import open_round, receive_supplement, request_supplement, rounds_of
from onestop.workflows.engine import engine

bp = Blueprint("supplements", __name__, url_prefix="/dossiers/<int:dossier_id>/supplement")

#: the actions this panel presses, with the documents: the generic buttons leave them to it
ACTIONS = ("request_supplement", "supplement_received")


def _can(dossier: Dossier, user, action: str) -> bool:
    return any(a.name == action for a in available_actions(dossier, user))


@panel("supplements/_panel.html", slot="side", order=55)
def _panel(dossier: Dossier, user, forms: dict) -> dict:
    procedure = engine().of(dossier)
    choices = [SelectChoice(d.key, d.name) for d in procedure.documents]
    current = open_round(dossier)
    request_form = receive_form = None
    if _can(dossier, user, "request_supplement"):
        request_form = forms.get("request_form") or RequestSupplementForm(formdata=None, missing=[
            d.key for d in procedure.required_documents(dossier.submitter_name is not None)
            if d.key not in (dossier.documents or [])])
        request_form.missing.choices = choices
    if current is not None and _can(dossier, user, "supplement_received"):
        receive_form = forms.get("receive_form") or ReceiveSupplementForm(formdata=None, came=list(current.missing))
        receive_form.came.choices = choices
    return {"supplement_rounds": rounds_of(dossier), "supplement_round": current, "request_form": request_form,
            "receive_form": receive_form, "document_names": {c.value: c.label for c in choices},
            "round_outcomes": OUTCOME_LABELS}


def _back(dossier_id: int):
    return redirect(url_for("casework.dossier", dossier_id=dossier_id))


@bp.post("/request")
@access("dossier")
def request(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = RequestSupplementForm()
    form.missing.choices = [SelectChoice(d.key, d.name) for d in engine().of(dossier).documents]
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, request_form=form)

    def done(round_):
        flash(_("Đã yêu cầu bổ sung hồ sơ %(code)s (lần %(number)s).", code=dossier.code, number=round_.number),
              "success")
        return redirect(url_for("slips.show", dossier_id=dossier_id, number="02"))

    return submit(lambda: request_supplement(dossier, current_user, missing=list(form.missing.data or []),
                                             note=form.note.data),
                  then=done, otherwise=lambda reason: render_dossier_page(
                      db.session.get(Dossier, dossier_id), status=422, error=reason, request_form=form))


@bp.post("/receive")
@access("dossier")
def receive(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = ReceiveSupplementForm()
    form.came.choices = [SelectChoice(d.key, d.name) for d in engine().of(dossier).documents]
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, receive_form=form)

    def done(round_):
        flash(_("Đã nhận bổ sung hồ sơ %(code)s.", code=dossier.code), "success")
        return _back(dossier_id)

    return submit(lambda: receive_supplement(dossier, current_user, came=list(form.came.data or []),
                                             note=form.note.data),
                  then=done, otherwise=lambda reason: render_dossier_page(
                      db.session.get(Dossier, dossier_id), status=422, error=reason, receive_form=form))
