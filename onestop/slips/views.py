"""The official slips of a dossier (HTML for the printer, PDF) and the tracking ledger (XLSX)."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.auth.access import access
from onestop.auth.models import Role
from onestop.core.exports import send
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db
from onestop.fees.models import FeePayment
from onestop.results.models import SignedResult
from onestop.slips.forms import LedgerForm
from onestop.slips.ledger import can_keep_ledger, ledger_query, ledger_table
from onestop.slips.papers import (
    SLIPS,
    SlipKind,
    available_slips,
    render_fee_receipt,
    render_result_cover,
    render_slip,
)
from onestop.slips.pdf import html_to_pdf

bp = Blueprint("slips", __name__)

@bp.app_context_processor
def slip_helpers() -> dict:
    """``available_slips(dossier)`` for the dossier page's list of printable slips."""
    return {"available_slips": available_slips}


def _slip_or_404(dossier_id: int, number: str) -> tuple[SlipKind, Dossier]:
    dossier = get_dossier_or_404(current_user, dossier_id)
    kind = SLIPS.get(number)
    if kind is None:
        abort(404)
    # the slips read the whole history: load it with its agencies and people in one go
    db.session.scalars(select(Dossier).where(Dossier.id == dossier.id).options(
        selectinload(Dossier.events).options(selectinload(DossierEvent.actor), selectinload(DossierEvent.from_agency),
                                             selectinload(DossierEvent.to_agency))
    ).execution_options(populate_existing=True)).one()
    if not kind.applies(dossier):
        abort(404)
    return kind, dossier


@bp.get("/desk/dossiers/<int:dossier_id>/receipt")
@access("dossier")
def receipt(dossier_id: int):
    """Slip 01: receipt and appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả), where the desk lands after intake."""
    return show(dossier_id, "01")


@bp.get("/dossiers/<int:dossier_id>/slips/<number>")
@access("dossier")
def show(dossier_id: int, number: str):
    """A slip as a page to print on A4 (the print stylesheet hides everything but the paper)."""
    kind, dossier = _slip_or_404(dossier_id, number)
    return render_slip(kind, dossier)


@bp.get("/dossiers/<int:dossier_id>/slips/<number>.pdf")
@access("dossier")
def pdf(dossier_id: int, number: str):
    kind, dossier = _slip_or_404(dossier_id, number)
    body = html_to_pdf(render_slip(kind, dossier, pdf=True))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{kind.filename(dossier)}"'})


@bp.get("/dossiers/<int:dossier_id>/fees/<int:payment_id>/receipt.pdf")
@access("dossier")
def fee_receipt(dossier_id: int, payment_id: int):
    """The receipt of a fee payment (biên lai thu phí, lệ phí), as PDF."""
    dossier = get_dossier_or_404(current_user, dossier_id)
    payment = db.session.scalar(select(FeePayment).where(FeePayment.id == payment_id, FeePayment.dossier_id == dossier.id))
    if payment is None:
        abort(404)
    body = html_to_pdf(render_fee_receipt(payment))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="bien-lai-{payment.series}-{payment.receipt_number}.pdf"'})


@bp.get("/dossiers/<int:dossier_id>/result/<int:result_id>/cover.pdf")
@access("dossier")
def result_cover(dossier_id: int, result_id: int):
    """The cover of the e-result with the QR code of its public verification page, as PDF."""
    dossier = get_dossier_or_404(current_user, dossier_id)
    result = db.session.scalar(select(SignedResult).where(SignedResult.id == result_id,
                                                          SignedResult.dossier_id == dossier.id))
    if result is None:
        abort(404)
    body = html_to_pdf(render_result_cover(result))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{dossier.code}-trang-bia-ket-qua.pdf"'})


@bp.get("/ledger")
@access("ledger")
def ledger():
    """Slip 07: the tracking ledger of a period, downloaded as XLSX once the dates are valid."""
    if not can_keep_ledger(current_user):
        abort(404)
    form = LedgerForm(request.args, meta={"csrf": False})
    if not request.args:
        return render_template("slips/ledger.html", form=form)
    if not form.validate():
        return render_template("slips/ledger.html", form=form), 422
    start, end = form.start.data, form.end.data
    rows = db.session.execute(ledger_query(current_user, start, end)).all()
    return send(ledger_table(rows, agency=current_user.agency, start=start, end=end,
                             subtree=current_user.role != Role.CLERK), "xlsx")
