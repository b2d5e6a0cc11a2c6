"""Fees at the desk: the amount as the clerk types (JSON for the intake page), the fees card of the
dossier page, collecting what is still unpaid and refunding a refused dossier's payments."""
from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from onestop.auth.access import access
from onestop.core.errors import OperationError
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import available_actions, can_receive
from onestop.dossiers.page import panel, render_dossier_page
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db
from onestop.fees.forms import CollectForm, RefundForm
from onestop.fees.models import FeePayment
from onestop.fees.operations import assessment_of, collect_fee, quote_for, refund_fee
from onestop.workflows.engine import engine
from onestop.workflows.fee_schedule import MAX_COPIES, MAX_PAGES

bp = Blueprint("fees", __name__)


@bp.app_template_filter("money")
def money(amount: int | None) -> str:
    """``20000`` → ``20.000 đ`` (``20,000 đ`` in English)."""
    return f"{format_decimal(amount or 0)} đ"


def _count(name: str, largest: int) -> int:
    value = request.args.get(name, "1")
    return max(1, min(int(value[:12]), largest)) if value.isascii() and value.isdigit() else 1


@bp.app_context_processor
def fee_helpers() -> dict:
    """``fees_unpaid(dossier)``: what is still to collect (the return form takes it)."""
    def fees_unpaid(dossier: Dossier) -> int:
        assessment = assessment_of(dossier)
        return assessment.unpaid if assessment is not None else 0
    return {"fees_unpaid": fees_unpaid}


@bp.get("/desk/api/fees/<code>")
@access("clerk")
def quote(code: str):
    """What the procedure's fees come to for ``?pages=&copies=`` (the intake page, as the clerk types)."""
    if not can_receive(current_user):
        abort(404)
    if not engine().has(code):
        abort(404)
    computed = quote_for(code, pages=_count("pages", MAX_PAGES), copies=_count("copies", MAX_COPIES))
    body = computed.as_json()
    for line in body["lines"]:
        line["text"] = money(line["amount"])
    body["text"] = {"total": money(computed.total), "intake": money(computed.due("intake")),
                    "return": money(computed.due("return"))}
    return jsonify(body)


@panel("fees/_panel.html", order=15)
def _panel(dossier: Dossier, user, forms: dict) -> dict:
    """The dossier's fees, its receipts and refunds; the forms the user may use now."""
    assessment = assessment_of(dossier)
    if assessment is None or not assessment.total:
        return {"fees": None}
    payments = list(assessment.payments)
    collect_form = None  # what was due at intake and is still unpaid (filed online); the rest at the return
    if assessment.outstanding("intake") and assessment.can_collect(user) and not _returning_now(dossier, user):
        collect_form = forms.get("collect_form") or CollectForm(formdata=None)
    refundable = [p for p in payments if p.can_refund(user)]
    refund_form = (forms.get("refund_form") or RefundForm(formdata=None)) if refundable else None
    return {"fees": assessment, "fee_payments": payments, "collect_form": collect_form,
            "refundable": {p.id for p in refundable}, "refund_form": refund_form}


def _returning_now(dossier: Dossier, user) -> bool:
    """At the return step the return form takes the payment itself."""
    return any(a.name == "return_result" for a in available_actions(dossier, user))


def _back(dossier_id: int):
    return redirect(url_for("casework.dossier", dossier_id=dossier_id, _anchor="fees"))


@bp.post("/dossiers/<int:dossier_id>/fees/collect")
@access("dossier")
def collect(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = CollectForm()
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, collect_form=form)

    def done(payments):
        flash(_("Đã thu %(amount)s, biên lai số %(numbers)s.", amount=money(sum(p.amount for p in payments)),
                numbers=", ".join(p.receipt_number for p in payments)), "success")
        return _back(dossier_id)

    def refused(reason: str):
        return render_dossier_page(db.session.get(Dossier, dossier_id), status=422, error=reason, collect_form=form)

    return submit(lambda: _collect(dossier, form), then=done, otherwise=refused)


def _collect(dossier: Dossier, form: CollectForm) -> list[FeePayment]:
    """What was due at intake (the fees due at return are taken by the return form)."""
    assessment = assessment_of(dossier)
    if assessment is None or not assessment.outstanding("intake"):
        raise OperationError(_("Không còn khoản phí, lệ phí nào phải thu."))
    return [collect_fee(assessment, current_user, stage="intake", method=form.payment_method.data,
                        reference=form.payment_reference.data)]


@bp.post("/dossiers/<int:dossier_id>/fees/<int:payment_id>/refund")
@access("dossier")
def refund(dossier_id: int, payment_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    payment = db.session.scalar(select(FeePayment).where(FeePayment.id == payment_id,
                                                         FeePayment.dossier_id == dossier.id))
    if payment is None:
        abort(404)
    form = RefundForm()
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, refund_form=form)

    def done(refunded):
        flash(_("Đã hoàn trả %(amount)s của biên lai số %(number)s.", amount=money(refunded.amount),
                number=refunded.receipt_number), "success")
        return _back(dossier_id)

    def refused(reason: str):
        return render_dossier_page(db.session.get(Dossier, dossier_id), status=422, error=reason, refund_form=form)

    return submit(lambda: refund_fee(payment, current_user, method=form.refund_method.data,
                                     reference=form.refund_reference.data, reason=form.refund_reason.data),
                  then=done, otherwise=refused)
