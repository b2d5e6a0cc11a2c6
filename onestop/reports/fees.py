"""The supervisor's fee report of a period: what the desks of the scope collected (by the receipts'
date), how (cash, transfer), what they refunded (by the refund's date), by desk and by procedure.

Two grouped statements over the period's payments and refunds (``ix_fee_payments_agency_paid_at``
serves the first); the scope is the reports' own (``scope.scope_ids``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core.exports import Table, slug
from onestop.dossiers.models import Dossier
from onestop.fees.models import FeePayment
from onestop.reports.scope import scope_ids
from onestop.reports.statistics import Window, procedure_info
from onestop.reports.tables import _made


@dataclass
class FeeFigures:
    receipts: int = 0
    collected: int = 0
    cash: int = 0
    transfer: int = 0
    refunds: int = 0
    refunded: int = 0

    @property
    def net(self) -> int:
        return self.collected - self.refunded

    def add(self, other: FeeFigures) -> None:
        for name in ("receipts", "collected", "cash", "transfer", "refunds", "refunded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class FeeReport:
    window: Window
    total: FeeFigures
    #: (desk, figures), the desks that collected or refunded in the period
    agencies: list[tuple[Agency, FeeFigures]] = field(default_factory=list)
    #: (code, name, figures)
    procedures: list[tuple[str, str, FeeFigures]] = field(default_factory=list)


def build(session, user: User, w: Window) -> FeeReport:
    scope = scope_ids(user)
    p = FeePayment
    paid = session.execute(
        select(p.agency_id, Dossier.procedure_code, func.count(), func.sum(p.amount),
               func.coalesce(func.sum(p.amount).filter(p.method == "cash"), 0),
               func.coalesce(func.sum(p.amount).filter(p.method == "transfer"), 0))
        .join(Dossier, Dossier.id == p.dossier_id)
        .where(p.agency_id.in_(scope), p.paid_at >= w.start, p.paid_at < w.end)
        .group_by(p.agency_id, Dossier.procedure_code)).all()
    refunded = session.execute(
        select(p.agency_id, Dossier.procedure_code, func.count(), func.sum(p.amount))
        .join(Dossier, Dossier.id == p.dossier_id)
        .where(p.agency_id.in_(scope), p.refunded_at >= w.start, p.refunded_at < w.end)
        .group_by(p.agency_id, Dossier.procedure_code)).all()
    by_agency: dict[int, FeeFigures] = defaultdict(FeeFigures)
    by_procedure: dict[str, FeeFigures] = defaultdict(FeeFigures)
    for agency_id, code, n, amount, cash, transfer in paid:
        figures = FeeFigures(receipts=n, collected=int(amount or 0), cash=int(cash), transfer=int(transfer))
        by_agency[agency_id].add(figures)
        by_procedure[code].add(figures)
    for agency_id, code, n, amount in refunded:
        figures = FeeFigures(refunds=n, refunded=int(amount or 0))
        by_agency[agency_id].add(figures)
        by_procedure[code].add(figures)
    total = FeeFigures()
    for figures in by_agency.values():
        total.add(figures)
    agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(list(by_agency))))}
    return FeeReport(
        window=w, total=total,
        agencies=[(agencies[i], by_agency[i]) for i in sorted(by_agency, key=lambda i: agencies[i].name)],
        procedures=sorted(((code, procedure_info(code)[0], figures) for code, figures in by_procedure.items()),
                          key=lambda row: (-row[2].collected, row[0])))


HEADERS = ["Cơ quan / thủ tục", "Mã", "Số biên lai", "Đã thu (đồng)", "Tiền mặt", "Chuyển khoản",
           "Số lượt hoàn trả", "Đã hoàn trả (đồng)", "Thực thu (đồng)"]


def table(report: FeeReport, period, scope: str, code: str) -> Table:
    out = Table(title="Báo cáo thu phí, lệ phí", subtitle=f"{scope} · {period.label} · {_made(report.window.now)}",
                name=f"phi-le-phi_{slug(code)}_{period.slug}", headers=[HEADERS])

    def line(label: str, code_: str, f: FeeFigures) -> None:
        out.add([label, code_, f.receipts, f.collected, f.cash, f.transfer, f.refunds, f.refunded, f.net])

    out.add(["Theo bộ phận một cửa thu"])
    for agency, figures in report.agencies:
        line(agency.name, agency.code, figures)
    line("Tổng cộng", "", report.total)
    out.add(["Theo thủ tục"])
    for code_, name, figures in report.procedures:
        line(name, code_, figures)
    out.notes = ["Đã thu: theo ngày lập biên lai; đã hoàn trả: theo ngày hoàn trả (hồ sơ bị từ chối).",
                 "Thực thu = đã thu − đã hoàn trả trong kỳ."]
    return out
