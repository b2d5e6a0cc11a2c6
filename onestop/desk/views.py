"""The reception desk: intake of walk-in dossiers, the desk's own queue, the return of results,
and the returning citizen's details for the intake form."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.access import access
from onestop.core import audit, identity
from onestop.core.calendar import local_time_text
from onestop.core.submit import submit
from onestop.desk.forms import IntakeForm, ReturnResultForm
from onestop.desk.operations import hand_refusal, refusal_handed
from onestop.desk.queries import desk_tabs
from onestop.dossiers.forms import detail_field_name
from onestop.dossiers.lists import tabbed_list
from onestop.dossiers.models import Channel, Delivery, Dossier
from onestop.dossiers.operations import can_receive, receive_dossier, return_result
from onestop.dossiers.page import panel
from onestop.dossiers.scope import dossier_scope, get_dossier_or_404
from onestop.extensions import db
from onestop.fees.operations import assessment_of, collect_at_intake, collect_due, quote_for
from onestop.workflows.boundary import competent_choices, competent_units
from onestop.workflows.engine import engine, intake_problems

bp = Blueprint("desk", __name__, url_prefix="/desk")


@panel("desk/_refusal.html", slot="side", order=60)
def _refusal_panel(dossier: Dossier, user, forms: dict) -> dict:
    """The refusal slip still to hand over, for the receiving desk's clerks."""
    owed = dossier.can_hand_refusal(user) and not db.session.scalar(refusal_handed(dossier.id).select())
    return {"refusal_to_hand": owed}


def _require_clerk() -> None:
    if not can_receive(current_user):
        abort(404)


@bp.get("/")
@access("clerk")
def queue():
    """The desk's own queue: new dossiers to forward, results to return, supplements awaited."""
    _require_clerk()
    return tabbed_list(desk_tabs(current_user, engine()), "desk/queue.html", "desk.queue", default="to_forward")


@bp.route("/new", methods=["GET", "POST"])
@access("clerk")
def intake():
    _require_clerk()
    refused = intake_problems(current_user.agency)  # steps that would have no agency from this desk
    procedures = {p.code: p for p in engine().procedures() if p.code not in refused}
    form = IntakeForm(procedures)
    form.offer_competent(current_user.agency.name, competent_units(current_user.agency),
                         competent_choices(current_user.agency))
    if request.method == "GET":
        if request.args.get("procedure") in procedures:
            form.procedure_code.data = request.args["procedure"]
        if request.args.get("channel") == Channel.POST.value:
            form.channel.data = Channel.POST.value

    def page(status: int):
        return render_template("desk/intake.html", form=form, procedures=procedures, detail_field_name=detail_field_name,
                               quotes=_quotes(procedures, form)), status

    if not form.validate_on_submit() or form.detail_errors:
        return page(422 if (form.errors or form.detail_errors) else 200)

    def done(dossier: Dossier):
        flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=dossier.code), "success")
        return redirect(url_for("slips.receipt", dossier_id=dossier.id))

    def refused_(reason: str):
        flash(reason, "error")
        return page(200)

    def receive():
        by_post = form.channel.data == Channel.POST.value
        dossier = receive_dossier(
            current_user, procedure_code=form.procedure_code.data, applicant=form.applicant,
            documents=form.documents.data, delivery_method=form.delivery_method.data, note=form.note.data,
            details=form.details, channel=Channel.POST if by_post else Channel.DESK,
            intake_waybill=form.intake_waybill.data if by_post else None, posted_on=form.posted_day,
            competent=db.session.get(Agency, form.competent_id) if form.competent_id else None)
        collect_at_intake(dossier, current_user, pages=form.fee_pages.data or 1, copies=form.fee_copies.data or 1,
                          method=form.payment_method.data, reference=form.payment_reference.data)
        return dossier

    return submit(receive, then=done, otherwise=refused_)


def _quotes(procedures: dict, form: IntakeForm) -> dict:
    """What each procedure's fees come to with the counts typed so far (the page shows the chosen one;
    the script asks ``fees.quote`` again as the counts change)."""
    pages, copies = form.fee_pages.data or 1, form.fee_copies.data or 1
    return {code: quote_for(code, pages=pages, copies=copies) for code, p in procedures.items() if p.fees}


@bp.post("/dossiers/<int:dossier_id>/return")
@access("dossier")
def return_to_citizen(dossier_id: int):
    """Record who collected the result (or the post waybill) and close the dossier."""
    dossier = get_dossier_or_404(current_user, dossier_id, for_update=True)
    form = ReturnResultForm()
    back = redirect(url_for("casework.dossier", dossier_id=dossier_id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return back

    def done(_event):
        flash(_("Đã trả kết quả hồ sơ %(code)s.", code=dossier.code), "success")
        if dossier.delivery_method == Delivery.DESK:  # the citizen is at the desk: turn the screen to them
            return redirect(url_for("ratings.kiosk", dossier_id=dossier.id))
        return redirect(url_for("desk.queue"))

    def refused(reason: str):
        flash(reason, "error")
        return back

    def hand_back():
        assessment = assessment_of(dossier)
        if assessment is not None and assessment.unpaid:
            collect_due(dossier, current_user, method=form.payment_method.data, reference=form.payment_reference.data)
        return return_result(dossier, current_user, recipient=form.recipient.data, waybill=form.waybill.data,
                             note=form.note.data)

    return submit(hand_back, then=done, otherwise=refused)


@bp.post("/dossiers/<int:dossier_id>/refusal-handed")
@access("dossier")
def refusal_handed_over(dossier_id: int):
    """Record that the citizen got the refusal slip (03); the dossier leaves the "refused" tab."""
    dossier = get_dossier_or_404(current_user, dossier_id)

    def done(_event):
        flash(_("Đã ghi nhận giao phiếu từ chối hồ sơ %(code)s.", code=dossier.code), "success")
        return redirect(url_for("desk.queue", tab="refused"))

    def refused(reason: str):
        flash(reason, "error")
        return redirect(url_for("casework.dossier", dossier_id=dossier_id))

    return submit(lambda: hand_refusal(dossier, current_user), then=done, otherwise=refused)


@bp.get("/api/citizens/<id_number>")
@access("clerk")
def citizen(id_number: str):
    """A returning citizen's details from their latest dossier within the clerk's own scope (what their
    agency received, holds or handled), to pre-fill intake; exact ID only. Another agency's records
    are not the clerk's to read: a citizen new to this desk is typed in."""
    _require_clerk()
    try:
        id_number = identity.personal_id(id_number)  # any digits and separators typed: one form
    except identity.InvalidNumber as exc:
        return jsonify(error={"code": 400, "message": str(exc)}), 400
    latest = db.session.scalar(select(Dossier).where(Dossier.applicant_id_number == id_number,
                                                     dossier_scope(current_user))
                               .order_by(Dossier.received_at.desc()).limit(1))
    audit.record("citizen.lookup", target=f"citizen:{id_number}", note=latest.code if latest else None)
    db.session.commit()
    if latest is None:
        return jsonify(error={"code": 404, "message": _("Chưa có hồ sơ của công dân này.")}), 404
    return jsonify(id_number=id_number, name=latest.applicant_name, phone=latest.applicant_phone,
                   email=latest.applicant_email,
                   address=latest.applicant_address, last_received=local_time_text(latest.received_at, "%d/%m/%Y"))
