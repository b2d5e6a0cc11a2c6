"""Fees (phí, lệ phí) of a dossier: what they come to, what was paid against a numbered receipt
(biên lai thu phí, lệ phí), and what was refunded.

* ``FeeAssessment``: the procedure's fees computed for the dossier when it was received (the
  pages and copies counted, online or not), one row per dossier; the lines keep the names and
  amounts as computed then, so a later change of the procedure file does not change what was due.
* ``FeePayment``: one payment, one receipt. The receipt's number comes from the series of the
  collecting desk and the year (``ReceiptSeries``): taken by an upsert in the payment's own
  transaction, as the dossier codes are (``dossiers/codes.py``), so two clerks get different
  numbers and a payment rolled back gives its number back: the series has no gap.
* A refund (a dossier refused after its fees were paid) is written on the payment it gives back:
  the receipt stays, with the refund beside it.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.dossiers.models import Dossier, Status
from onestop.extensions import db


class Method(enum.StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"


METHOD_LABELS = {Method.CASH: _l("Tiền mặt"), Method.TRANSFER: _l("Chuyển khoản")}
#: as the receipt and the report files write them
METHOD_PAPER = {"cash": "Tiền mặt", "transfer": "Chuyển khoản"}


def _is_desk_clerk(dossier: Dossier, user: User) -> bool:
    return user.active and user.role == Role.CLERK and user.agency_id == dossier.receiving_agency_id


class FeeAssessment(db.Model):
    __tablename__ = "fee_assessments"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    #: the counts the fees were computed on (pages of each copy, copies)
    pages: Mapped[int] = mapped_column(default=1)
    copies: Mapped[int] = mapped_column(default=1)
    #: filed online: the online share of each fee applies
    online: Mapped[bool] = mapped_column(default=False)
    #: ``[{key, name, kind, quantity, amount, collect, estimated}]`` (``fee_schedule.QuoteLine``)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    #: whole đồng
    total: Mapped[int] = mapped_column(default=0)
    assessed_at: Mapped[datetime] = mapped_column(default=clock.now)

    dossier: Mapped[Dossier] = relationship()
    payments: Mapped[list["FeePayment"]] = relationship(
        primaryjoin="FeeAssessment.dossier_id == foreign(FeePayment.dossier_id)", order_by="FeePayment.id",
        viewonly=True)

    def due(self, stage: str) -> int:
        """What the lines collected at ``stage`` (intake or return) come to."""
        return sum(line["amount"] for line in self.lines if line["collect"] == stage)

    def paid(self, stage: str) -> int:
        """What was paid for ``stage``, refunded payments included (a refund does not make a fee due again)."""
        return sum(p.amount for p in self.payments if p.stage == stage)

    def outstanding(self, stage: str) -> int:
        return max(0, self.due(stage) - self.paid(stage))

    def lines_of(self, stage: str) -> list[dict]:
        return [line for line in self.lines if line["collect"] == stage and line["amount"]]

    @property
    def unpaid(self) -> int:
        return self.outstanding("intake") + self.outstanding("return")

    @property
    def estimated(self) -> bool:
        return any(line["estimated"] and line["amount"] for line in self.lines)

    def can_collect(self, user: User) -> bool:
        """Take a payment: a clerk of the receiving desk, while the dossier is not refused or withdrawn."""
        return _is_desk_clerk(self.dossier, user) and self.dossier.status not in (Status.REFUSED, Status.WITHDRAWN)


class ReceiptSeries(db.Model):
    """The last receipt number given out by a desk in a year."""

    __tablename__ = "receipt_series"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class FeePayment(db.Model):
    """A payment of a dossier's fees and its receipt (biên lai thu phí, lệ phí)."""

    __tablename__ = "fee_payments"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "number", name="uq_fee_payments_receipt"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("method IN ('cash', 'transfer')", name="method_known"),
        CheckConstraint("method <> 'transfer' OR reference IS NOT NULL", name="transfer_has_reference"),
        CheckConstraint("stage IN ('intake', 'return')", name="stage_known"),
        CheckConstraint("(refunded_at IS NULL) = (refunded_by_id IS NULL)", name="refund_with_who"),
        CheckConstraint("refund_method IS NULL OR refund_method <> 'transfer' OR refund_reference IS NOT NULL",
                        name="refund_transfer_has_reference"),
        # the report of a period: payments by desk and time
        Index("ix_fee_payments_agency_paid_at", "agency_id", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: the desk that collected it (the dossier's receiving desk), whose series numbers the receipt
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: the receipt: the series (desk and year) and its number in it
    year: Mapped[int]
    number: Mapped[int]
    #: the fees paid for: those collected at ``intake`` or at ``return``
    stage: Mapped[str] = mapped_column(String(10))
    #: the assessment's lines paid (names and amounts as printed)
    lines: Mapped[list] = mapped_column(JSON, default=list)
    #: whole đồng
    amount: Mapped[int]
    method: Mapped[str] = mapped_column(String(10))
    #: the bank transfer's reference (required for a transfer)
    reference: Mapped[str | None] = mapped_column(String(60))
    #: who paid, as the receipt names them
    payer_name: Mapped[str] = mapped_column(String(200))
    paid_at: Mapped[datetime] = mapped_column(default=clock.now)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    refunded_at: Mapped[datetime | None]
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refund_method: Mapped[str | None] = mapped_column(String(10))
    refund_reference: Mapped[str | None] = mapped_column(String(60))
    refund_reason: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship()
    agency: Mapped[Agency] = relationship()
    received_by: Mapped[User] = relationship(foreign_keys=[received_by_id])
    refunded_by: Mapped[User | None] = relationship(foreign_keys=[refunded_by_id])

    @property
    def series(self) -> str:
        """The receipt's symbol (ký hiệu): the desk's code and the year."""
        return f"{self.agency.code}-{self.year}"

    @property
    def receipt_number(self) -> str:
        return f"{self.number:07d}"

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS[Method(self.method)])

    def can_refund(self, user: User) -> bool:
        """Give it back: a clerk of the receiving desk, once, when the dossier was refused."""
        return (self.refunded_at is None and self.dossier.status == Status.REFUSED
                and _is_desk_clerk(self.dossier, user))
