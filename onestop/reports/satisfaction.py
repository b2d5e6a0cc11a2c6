"""Citizens' satisfaction beside the progress indicators of Decision 766/QĐ-TTg: for a period, by
receiving agency (its subtree, as the statistics roll up) and by procedure, the share of dossiers
settled on time and the share received online (from the statistics of the same period, the one
definition) and the share of the ratings given in the period that are "satisfied", with the
reasons of those that are not.

The ratings are one grouped statement over ``ix_ratings_rated_at``, grouped by the receiving agency
and procedure copied onto each rating.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.core.exports import Table, slug
from onestop.ratings.models import REASONS_PAPER, Rating
from onestop.reports import statistics
from onestop.reports.periods import Period
from onestop.reports.scope import scope_ids
from onestop.reports.statistics import Window, scope_tree
from onestop.reports.tables import _made, _rate


@dataclass
class Satisfaction:
    rated: int = 0
    satisfied: int = 0

    @property
    def rate(self) -> float | None:
        return None if not self.rated else self.satisfied / self.rated

    def add(self, other: Satisfaction) -> None:
        self.rated += other.rated
        self.satisfied += other.satisfied


@dataclass
class SatisfactionReport:
    statistics: statistics.StatisticsReport
    total: Satisfaction
    #: (agency row of the statistics, its satisfaction)
    agencies: list
    #: (procedure row of the statistics or None, code, name, satisfaction)
    procedures: list
    #: reasons of the "not satisfied", most given first: (key, count)
    complaints: list[tuple[str, int]]


def build(session, user: User, period: Period, now: datetime) -> SatisfactionReport:
    stats = statistics.build(session, user, period, now)
    w = Window.of(period, now)
    r = Rating
    rows = session.execute(
        select(r.receiving_agency_id, r.procedure_code, func.count(), func.count().filter(r.satisfied.is_(True)))
        .where(r.receiving_agency_id.in_(scope_ids(user)), r.rated_at >= w.start, r.rated_at < w.end)
        .group_by(r.receiving_agency_id, r.procedure_code)).all()
    reasons = session.execute(
        select(r.reasons).where(r.receiving_agency_id.in_(scope_ids(user)), r.rated_at >= w.start, r.rated_at < w.end,
                                r.satisfied.is_(False))).scalars().all()
    own: dict[int, Satisfaction] = defaultdict(Satisfaction)
    per_procedure: dict[str, Satisfaction] = defaultdict(Satisfaction)
    for agency_id, code, rated, satisfied in rows:
        own[agency_id].add(Satisfaction(rated, satisfied))
        per_procedure[code].add(Satisfaction(rated, satisfied))
    _agencies, children = scope_tree(session, user)
    subtree: dict[int, Satisfaction] = {}

    def roll(agency_id: int) -> Satisfaction:
        if agency_id not in subtree:
            s = Satisfaction()
            s.add(own[agency_id])
            for child in children.get(agency_id, []):
                s.add(roll(child.id))
            subtree[agency_id] = s
        return subtree[agency_id]

    agency_rows = [(row, own[row.agency.id] if row.own else roll(row.agency.id)) for row in stats.agencies]
    total = Satisfaction()
    for s in own.values():
        total.add(s)
    known = {p.code: p for p in stats.procedures}
    procedure_rows = [(p, p.code, p.name, per_procedure.get(p.code, Satisfaction())) for p in stats.procedures]
    procedure_rows += [(None, code, statistics.procedure_info(code)[0], s)
                       for code, s in per_procedure.items() if code not in known]
    complaints = Counter(key for keys in reasons for key in keys or [])
    return SatisfactionReport(stats, total, agency_rows, procedure_rows, complaints.most_common())


HEADERS = ["Cơ quan / thủ tục", "Mã", "Đã giải quyết", "Đúng hạn (%)", "Mới tiếp nhận", "Trực tuyến (%)",
           "Lượt đánh giá", "Hài lòng", "Hài lòng (%)"]


def table(report: SatisfactionReport, period: Period, scope: str, code: str) -> Table:
    out = Table(title="Mức độ hài lòng và chỉ số giải quyết thủ tục hành chính",
                subtitle=f"{scope} · {period.label} · {_made(report.statistics.window.now)}",
                name=f"hai-long_{slug(code)}_{period.slug}", headers=[HEADERS])

    def line(label, code_, counts, s: Satisfaction) -> None:
        finished = counts["finished"] if counts is not None else None
        out.add([label, code_, finished, _rate(counts.on_time_rate) if counts is not None else None,
                 counts.new if counts is not None else None, _rate(counts.online_rate) if counts is not None else None,
                 s.rated, s.satisfied, _rate(s.rate)])

    out.add(["Theo cơ quan tiếp nhận"])
    for row, s in report.agencies:
        if row.own and not (row.counts["received"] or s.rated):
            continue
        label = ("  " * row.depth) + (f"{row.agency.name} (riêng đơn vị)" if row.own else row.agency.name)
        line(label, row.agency.code, row.counts, s)
    line("Tổng cộng", "", report.statistics.total, report.total)
    out.add(["Theo thủ tục"])
    for p, code_, name, s in report.procedures:
        line(name, code_, p.counts if p is not None else None, s)
    if report.complaints:
        out.add(["Lý do chưa hài lòng", "", "Số lượt"])
        for key, n in report.complaints:
            out.add([REASONS_PAPER.get(key, key), "", n])
    out.notes = ["Đúng hạn, trực tuyến: như báo cáo thống kê của kỳ (Quyết định 766/QĐ-TTg).",
                 "Hài lòng: tỷ lệ đánh giá hài lòng trên số lượt đánh giá trong kỳ, theo cơ quan tiếp nhận hồ sơ."]
    return out
