"""Fee verbs: assess a dossier's fees when it is received, collect them against a numbered
receipt (at intake or at return, as the procedure says), refund them when the dossier is refused.

Collecting and refunding go through the door (the dossier's lock, then ``can_collect`` /
``can_refund`` of the assessment or the payment); assessing is part of receiving a dossier and
runs in its transaction (the ``received`` signal, and again by the desk with the pages and copies
it counted). The ``moving`` signal refuses the return of a result while a fee is unpaid.
"""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.dialect import insert
from onestop.core.errors import OperationError
from onestop.dossiers.door import verb
from onestop.dossiers.models import Channel, Dossier, Status
from onestop.dossiers.operations import log_stay
from onestop.dossiers.signals import moving, received
from onestop.extensions import db
from onestop.fees.models import METHOD_PAPER, FeeAssessment, FeePayment, Method, ReceiptSeries
from onestop.fees.words import money_text
from onestop.workflows.engine import engine
from onestop.workflows.fee_schedule import Quote, quote


def quote_for(procedure_code: str, *, pages: int = 1, copies: int = 1, channel: str = Channel.DESK) -> Quote:
    """What a dossier of the procedure comes to (the intake page shows it as the clerk types)."""
    return quote(engine().procedure(procedure_code).fees, pages=pages, copies=copies, online=channel == Channel.ONLINE)


_NEW = "onestop_new_fee_assessments"


def assess(dossier: Dossier, *, pages: int = 1, copies: int = 1, new: bool = False) -> FeeAssessment | None:
    """Compute the dossier's fees (again, with the desk's counts, as long as nothing is paid);
    None for a free procedure (no ``[[fees]]``: nothing is written). ``new``: the dossier was
    just received, so it has no assessment yet (nothing to look up)."""
    if not engine().of(dossier).fees:
        return None
    computed = quote_for(dossier.procedure_code, pages=pages, copies=copies, channel=dossier.channel)
    held = db.session.info.get(_NEW, {}).get(dossier.id)
    assessment = held[1] if held is not None and held[0] is dossier else None  # (not a row rolled back)
    if assessment is None and not new:
        assessment = db.session.get(FeeAssessment, dossier.id)
    if assessment is None:
        assessment = FeeAssessment(dossier_id=dossier.id, dossier=dossier, payments=[])
        db.session.add(assessment)
        # held until the transaction ends: the session keeps rows weakly, and the desk's counts
        # come right after the receipt (``collect_at_intake``) to assess it again
        db.session.info.setdefault(_NEW, {})[dossier.id] = (dossier, assessment)
    elif assessment.payments:
        raise OperationError(_("Hồ sơ đã nộp phí, lệ phí: không tính lại được."))
    assessment.pages, assessment.copies, assessment.online = computed.pages, computed.copies, computed.online
    assessment.lines = [dict(line.__dict__) for line in computed.lines]
    assessment.total = computed.total
    assessment.assessed_at = clock.now()
    db.session.flush()
    return assessment


@event.listens_for(Session, "after_transaction_end")
def _forget_new(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_NEW, None)


@received.connect
def _assess_on_receipt(dossier: Dossier, actor=None, **_kwargs) -> None:
    assess(dossier, new=True)


def assessment_of(dossier: Dossier) -> FeeAssessment | None:
    return db.session.get(FeeAssessment, dossier.id)


def next_receipt_number(agency_id: int, at: datetime) -> tuple[int, int]:
    """(year, number) of the desk's next receipt: one upsert, as the dossier codes are taken."""
    year = at.astimezone(VN_TZ).year
    stmt = insert(ReceiptSeries).values(agency_id=agency_id, year=year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=[ReceiptSeries.agency_id, ReceiptSeries.year],
                                      set_={"last_number": ReceiptSeries.last_number + 1}
                                      ).returning(ReceiptSeries.last_number)
    return year, db.session.execute(stmt).scalar_one()


def _payment_means(method: str, reference: str | None) -> tuple[str, str | None]:
    try:
        method = Method(method)
    except ValueError:
        raise OperationError(_("Chọn hình thức nộp: tiền mặt hoặc chuyển khoản.")) from None
    reference = (reference or "").strip() or None
    if method == Method.TRANSFER and not reference:
        raise OperationError(_("Nhập mã giao dịch chuyển khoản."))
    if reference is not None and len(reference) > 60:
        raise OperationError(_("Mã giao dịch tối đa 60 ký tự."))
    return method.value, reference if method == Method.TRANSFER else None


def _why_not_collect(assessment: FeeAssessment, actor: User) -> str:
    if assessment.dossier.status in (Status.REFUSED, Status.WITHDRAWN):
        return _("Hồ sơ đã bị từ chối hoặc đã rút: không thu phí, lệ phí.")
    return _("Chỉ cán bộ bộ phận một cửa nơi tiếp nhận hồ sơ thu phí, lệ phí.")


@verb("collect", refused=_why_not_collect)
def collect_fee(assessment: FeeAssessment, actor: User, *, stage: str, method: str,
                reference: str | None = None, payer_name: str | None = None) -> FeePayment:
    """Take the payment of what is still due at ``stage`` and give it the desk's next receipt number."""
    amount = assessment.outstanding(stage)
    if amount <= 0:
        raise OperationError(_("Không còn khoản phí, lệ phí nào phải thu."))
    method, reference = _payment_means(method, reference)
    dossier = assessment.dossier
    now = clock.now()
    year, number = next_receipt_number(dossier.receiving_agency_id, now)
    payer = (payer_name or "").strip() or dossier.submitter_name or dossier.applicant_name
    payment = FeePayment(dossier_id=dossier.id, dossier=dossier, agency_id=dossier.receiving_agency_id, year=year,
                         number=number, stage=stage, lines=assessment.lines_of(stage), amount=amount, method=method,
                         reference=reference, payer_name=payer[:200], paid_at=now, received_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    db.session.expire(assessment, ["payments"])  # read afresh: what is still unpaid changed
    log_stay(dossier, actor, "fee", f"Thu {money_text(amount)} ({METHOD_PAPER[method].lower()}"
                                    f"{', mã giao dịch ' + reference if reference else ''}), "
                                    f"biên lai {dossier.receiving_agency.code}-{year} số {number:07d}")
    db.session.flush()
    return payment


def collect_at_intake(dossier: Dossier, actor: User, *, pages: int, copies: int, method: str,
                      reference: str | None) -> FeePayment | None:
    """The desk's intake: assess with its counts, then take what is due at intake (if anything)."""
    assessment = assess(dossier, pages=pages, copies=copies)
    if assessment is None or assessment.outstanding("intake") <= 0:
        return None
    return collect_fee(assessment, actor, stage="intake", method=method, reference=reference)


def collect_due(dossier: Dossier, actor: User, *, method: str, reference: str | None) -> list[FeePayment]:
    """Take everything still unpaid (before the result is handed back): one receipt per stage."""
    assessment = assessment_of(dossier)
    if assessment is None:
        return []
    return [collect_fee(assessment, actor, stage=stage, method=method, reference=reference)
            for stage in ("intake", "return") if assessment.outstanding(stage) > 0]


@verb("refund", refused=_l("Chỉ hoàn trả phí, lệ phí của hồ sơ bị từ chối, một lần, tại bộ phận một cửa nơi tiếp nhận."))
def refund_fee(payment: FeePayment, actor: User, *, method: str, reference: str | None = None,
               reason: str | None = None) -> FeePayment:
    """Give the payment back (the dossier was refused); the receipt stays, with the refund beside it."""
    method, reference = _payment_means(method, reference)
    reason = (reason or "").strip()
    if not reason:
        raise OperationError(_("Nêu lý do hoàn trả."))
    payment.refunded_at, payment.refunded_by_id = clock.now(), actor.id
    payment.refund_method, payment.refund_reference, payment.refund_reason = method, reference, reason[:2000]
    log_stay(payment.dossier, actor, "refund", f"Hoàn trả {money_text(payment.amount)} của biên lai "
                                               f"{payment.series} số {payment.receipt_number}: {reason}")
    db.session.flush()
    return payment


@moving.connect
def _paid_before_return(dossier: Dossier, action: str = "", **_kwargs) -> None:
    """The result is handed back only once every fee is paid."""
    if action != "return_result":
        return
    assessment = assessment_of(dossier)
    unpaid = assessment.unpaid if assessment is not None else 0
    if unpaid:
        raise OperationError(_("Còn %(amount)s phí, lệ phí chưa thu: thu trước khi trả kết quả.",
                               amount=money_text(unpaid)))
