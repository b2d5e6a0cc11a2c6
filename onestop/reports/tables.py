"""The export table of each report (CSV and XLSX are written from these, see ``exports.py``)."""
from __future__ import annotations

from datetime import datetime

from onestop.core import clock
from onestop.core.calendar import HOURS_PER_DAY, VN_TZ, local_time_text
from onestop.core.exports import Table, slug
from onestop.dossiers.models import STATUS_LABELS
from onestop.reports.statistics import CATEGORIES, GROUPS, procedure_info


def _made(now: datetime | None = None) -> str:
    return f"lập lúc {local_time_text(now or clock.now())}"


def _rate(value: float | None):
    return None if value is None else round(value * 100, 1)


def _days(hours: float | None):
    return None if hours is None else round(hours / HOURS_PER_DAY, 1)


def statistics(report, scope: str, code: str, across=()) -> Table:
    keys = [k for _, ks in GROUPS for k in ks]
    names = {c.key: str(c.label) for c in CATEGORIES}
    group_row = ["", ""]
    for heading, ks in GROUPS:
        group_row += [str(heading)] + [""] * (len(ks) - 1)
    group_row += ["Tỷ lệ", ""]
    table = Table(
        title="Thống kê tình hình giải quyết thủ tục hành chính",
        subtitle=f"{scope} · {report.period.label} ({report.period.first:%d/%m/%Y} – {report.period.last:%d/%m/%Y})"
                 f" · {_made(report.window.now)}",
        name=f"thong-ke_{slug(code)}_{report.period.slug}",
        headers=[group_row, ["Cơ quan / thủ tục", "Mã"] + [names[k] for k in keys]
                 + ["Đúng hạn (%)", "Trực tuyến (%)"]])

    def line(label, code_, counts):
        table.add([label, code_] + [counts[k] for k in keys] + [_rate(counts.on_time_rate), _rate(counts.online_rate)])

    table.add(["Theo cơ quan tiếp nhận"])
    for row in report.agencies:
        if row.own and not row.counts["received"]:
            continue
        label = ("  " * row.depth) + (f"{row.agency.name} (riêng đơn vị)" if row.own else row.agency.name)
        line(label, row.agency.code, row.counts)
    line("Tổng cộng", "", report.total)
    table.add(["Theo thủ tục"])
    for p in report.procedures:
        line(p.name, p.code, p.counts)
    table.add(["Tỷ lệ nhận trực tuyến theo mức độ dịch vụ", "Mức độ", "Mới tiếp nhận", "Trực tuyến", "Tỷ lệ (%)"])
    for s in report.service_levels:
        table.add(["", s.service_level or "không rõ", s.new, s.online, _rate(s.rate)])
    if across:
        table.add(["Tiếp nhận không phụ thuộc địa giới hành chính (mới tiếp nhận)", "Mã",
                   "Tiếp nhận cho đơn vị khác giải quyết", "Đơn vị khác tiếp nhận cho cơ quan giải quyết"])
        for row in across:
            table.add([row.agency.name, row.agency.code, row.for_others, row.from_others])
    table.notes = [
        "Theo cơ quan: cơ quan tiếp nhận hồ sơ (bộ phận một cửa nhận và trả kết quả).",
        "Đúng hạn: trả kết quả trong ngày hẹn trả; trước hạn: trước ngày hẹn; quá hạn: sau ngày hẹn.",
        "Tổng số nhận = kỳ trước chuyển qua + mới tiếp nhận = đã giải quyết + đang giải quyết + chờ bổ sung"
        " + từ chối + rút hồ sơ.",
    ]
    return table


def statistics_list(dossiers, category, period, where: str, procedure_code, code: str) -> Table:
    subtitle = f"{where} · {period.label}"
    if procedure_code:
        subtitle += f" · thủ tục {procedure_code}"
    table = Table(title=f"Danh sách hồ sơ: {category.label}", subtitle=f"{subtitle} · {_made()}",
                  name=f"ho-so_{category.key}_{slug(code)}_{period.slug}",
                  headers=[["Mã hồ sơ", "Thủ tục", "Cơ quan tiếp nhận", "Hình thức", "Ngày nhận", "Hẹn trả",
                            "Hẹn trả sau gia hạn", "Ngày trả / kết thúc", "Trạng thái", "Đang ở"]])
    for d in dossiers:
        extended = local_time_text(d.due_at) if d.original_due_at else ""
        table.add([d.code, procedure_info(d.procedure_code)[0], d.receiving_agency.name, d.channel.value,
                   local_time_text(d.received_at), local_time_text(d.original_due_at or d.due_at), extended,
                   local_time_text(d.finished_at),
                   str(STATUS_LABELS[d.status]), d.holder_agency.name])
    return table


def overdue(report, scope: str, code: str) -> Table:
    table = Table(title="Hồ sơ quá hạn và sắp đến hạn", subtitle=f"{scope} · tại thời điểm {local_time_text(report.now)}",
                  name=f"qua-han_{slug(code)}_{report.now.astimezone(VN_TZ).strftime('%Y%m%d-%H%M')}",
                  headers=[["Cơ quan đang giữ / thủ tục", "Mã", "Quá hạn", "Trong đó quá hạn trả kết quả",
                            "Trễ trung bình (ngày làm việc)", "Trễ nhiều nhất (ngày làm việc)", "Sắp đến hạn"]])
    table.add(["Theo cơ quan (gồm các đơn vị trực thuộc)"])
    for depth, node in report.flat():
        t = node.total
        table.add([("  " * depth) + node.agency.name, node.agency.code, t.overdue, t.past_due,
                   round(t.average_late_days, 1), round(t.max_late_days, 1), t.due_soon])
    t = report.total
    table.add(["Tổng cộng", "", t.overdue, t.past_due, round(t.average_late_days, 1), round(t.max_late_days, 1),
               t.due_soon])
    table.add(["Theo thủ tục"])
    for code_, name, t in report.procedures:
        table.add([name, code_, t.overdue, t.past_due, round(t.average_late_days, 1), round(t.max_late_days, 1),
                   t.due_soon])
    return table


def overdue_list(rows, title: str, where: str, procedure_code, now: datetime, code: str) -> Table:
    table = Table(title=f"Danh sách hồ sơ {title.lower()}",
                  subtitle=f"{where}{' · thủ tục ' + procedure_code if procedure_code else ''} · tại thời điểm "
                           f"{local_time_text(now)}",
                  name=f"ds-{slug(title).lower()}_{slug(code)}_{now.astimezone(VN_TZ).strftime('%Y%m%d')}",
                  headers=[["Mã hồ sơ", "Thủ tục", "Bước", "Người xử lý", "Hạn bước", "Hẹn trả",
                            "Trễ (ngày làm việc; âm: còn lại)"]])
    for r in rows:
        name, _ = procedure_info(r.procedure_code)
        table.add([r.code, name, r.step, r.assignee_name or "", local_time_text(r.step_due_at), local_time_text(r.due_at),
                   _days(r.late_hours)])
    return table


def bottlenecks(report, period, agencies: dict, scope: str, code: str) -> Table:
    table = Table(title="Điểm nghẽn trong giải quyết hồ sơ", subtitle=f"{scope} · {period.label} · {_made()}",
                  name=f"diem-nghen_{slug(code)}_{period.slug}",
                  headers=[["Thủ tục / bước / cơ quan", "Mã", "Số lượt", "Trung bình (giờ làm việc)", "Trung vị (giờ)",
                            "Phân vị 90 (giờ)", "Định mức (giờ)", "Vượt định mức"]])
    table.add(["Thời gian theo bước"])
    for s in report.steps:
        table.add([f"{s.procedure_name} · {s.step_name}", f"{s.procedure_code}/{s.step}", s.n, round(s.mean, 1),
                   round(s.p50, 1), round(s.p90, 1), s.budget, s.over_budget])
    table.add(["Thời gian theo cơ quan"])
    for a in report.agencies:
        agency = agencies.get(a.agency_id)
        table.add([agency.name if agency else a.agency_id, agency.code if agency else "", a.n, round(a.mean, 1),
                   round(a.p50, 1), round(a.p90, 1)])
    table.add([f"Nơi bắt đầu trễ hạn ({report.late_dossiers} hồ sơ giải quyết quá hạn trong kỳ)"])
    for lt in report.lateness:
        agency = agencies.get(lt.agency_id)
        table.add([f"{lt.procedure_name} · {lt.step_name} · {agency.name if agency else lt.agency_id}",
                   f"{lt.procedure_code}/{lt.step}", lt.dossiers])
    table.add(["Hồ sơ đang mở theo người xử lý", "Cơ quan", "Đang mở", "Chờ bổ sung", "Quá hạn", "Sắp đến hạn"])
    for r in report.load:
        agency = agencies.get(r.holder_agency_id)
        table.add([r.full_name or "— chưa phân công —", agency.code if agency else r.holder_agency_id, r.open, r.waiting,
                   r.overdue, r.due_soon])
    return table


def trends(months, scope: str, code: str) -> Table:
    first, last = months[0].period, months[-1].period
    table = Table(title="Xu hướng theo tháng", subtitle=f"{scope} · {first.label} – {last.label} · {_made()}",
                  name=f"xu-huong_{slug(code)}_{first.token}_{last.token}",
                  headers=[["Tháng", "Tiếp nhận mới", "Đã giải quyết", "Giải quyết quá hạn", "Tỷ lệ quá hạn (%)"]])
    for m in months:
        table.add([m.period.label, m.new, m.finished, m.finished_late, _rate(m.late_rate)])
    return table
