"""The official slips the desk prints (giấy tờ, biểu mẫu của bộ phận một cửa).

01 receipt and appointment, 02 supplement request, 03 refusal, 05 notice to stop processing and
06 processing control slip are HTML pages printable on A4 and PDFs (WeasyPrint, DejaVu fonts
embedded); 07, the tracking ledger of a period, is an XLSX workbook. Each slip exists only where
it makes sense (``SlipKind.applies``): a refusal slip for a refused dossier, and so on.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import segno
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.auth.scope import dossier_scope
from onestop.core.calendar import VN_TZ
from onestop.core.workdays import current_calendar
from onestop.dossiers.extensions_model import latest_approved
from onestop.dossiers.models import STATUS_LABELS, Dossier, DossierEvent, Status
from onestop.dossiers.operations import engine
from onestop.workflows.definition import Procedure

#: the slips and the ledger are official papers in Vietnamese, whatever the language of the page around
#: them: the words they take from the app (status, action labels) are read in this language
PAPER_LOCALE = "vi"
DESK_UNIT = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
#: agency names are broken after their kind, as on paper ("ỦY BAN NHÂN DÂN" / "QUẬN HỒNG BÀNG")
_NAME_HEADS = ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN ")
#: events that are not a handover between agencies (the receipt is in the slip's header)
NOT_HANDOVERS = ("receive", "assign")
DELIVERY_LABELS = {"desk": "Tại bộ phận một cửa", "post": "Qua bưu chính công ích"}


# --- which slip, when -------------------------------------------------------------------------

def last_event(dossier: Dossier, action: str) -> DossierEvent | None:
    return next((e for e in reversed(dossier.events) if e.action == action), None)


@dataclass(frozen=True)
class SlipKind:
    #: the form number, ``"01"``…
    number: str
    #: the slip's name as printed and listed on the dossier page
    title: str
    template: str
    #: whether the slip makes sense for the dossier now
    applies: Callable[[Dossier], bool] = field(compare=False)

    def filename(self, dossier: Dossier) -> str:
        return f"{dossier.code}-phieu-{self.number}.pdf"


SLIPS: dict[str, SlipKind] = {s.number: s for s in (
    SlipKind("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "slips/01_receipt.html",
             lambda d: True),
    SlipKind("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "slips/02_supplement.html",
             lambda d: last_event(d, "request_supplement") is not None),
    SlipKind("03", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ", "slips/03_refusal.html",
             lambda d: d.status == Status.REFUSED and last_event(d, "refuse") is not None),
    SlipKind("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "slips/04_extension.html",
             lambda d: latest_approved(d) is not None),
    SlipKind("05", "Thông báo dừng xử lý hồ sơ", "slips/05_stop.html",
             lambda d: d.status == Status.WITHDRAWN and last_event(d, "withdraw") is not None),
    SlipKind("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "slips/06_control.html",
             lambda d: True),
)}


def available_slips(dossier: Dossier) -> list[SlipKind]:
    return [kind for kind in SLIPS.values() if kind.applies(dossier)]


# --- what each slip shows ---------------------------------------------------------------------

def heading_lines(name: str) -> tuple[str, ...]:
    """A name in capitals for the top-left block, broken after the agency's kind when long."""
    upper = name.upper()
    for head in _NAME_HEADS:
        if upper.startswith(head) and len(upper) > 24:
            return head.strip(), upper[len(head):]
    return (upper,)


@dataclass(frozen=True)
class Issuer:
    """The top-left block of an official paper: the governing body, then the issuing unit (bold)."""

    governing: tuple[str, ...]
    unit: tuple[str, ...]

    @classmethod
    def of(cls, agency: Agency, *, desk: bool) -> "Issuer":
        """The agency's desk, or the agency itself under its parent."""
        if desk:
            return cls(heading_lines(agency.name), ("BỘ PHẬN TIẾP NHẬN", "VÀ TRẢ KẾT QUẢ"))
        return cls(heading_lines(agency.parent.name) if agency.parent else (), heading_lines(agency.name))


@dataclass(frozen=True)
class Handover:
    """One row of the processing control slip (06)."""

    number: int
    event: DossierEvent
    #: what was done (the action's label)
    result: str
    #: the step the dossier went to
    step: str
    #: ``Trước hạn`` / ``Đúng hạn`` / ``Quá hạn`` for the step just left, or "" when it has no deadline
    timing: str


def timing_label(finished: datetime, due: datetime) -> str:
    """Early when finished on a day before the due day, on time up to the due moment, else late."""
    if finished > due:
        return "Quá hạn"
    if finished.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
        return "Trước hạn"
    return "Đúng hạn"


def handovers(dossier: Dossier, procedure: Procedure) -> list[Handover]:
    """Every move between steps and agencies, with how the step it left kept its deadline."""
    cal = current_calendar()
    rows: list[Handover] = []
    entered = dossier.received_at
    for event in dossier.events:
        if not event.is_move:
            continue
        if event.action != "receive":
            left = procedure.step(event.from_step)
            timing = ""
            if left.kind == "work" and left.hours > 0:
                timing = timing_label(event.at, cal.add_working_hours(entered, left.hours))
            rows.append(Handover(number=len(rows) + 1, event=event, result=event.label(procedure),
                                 step=procedure.step(event.to_step).name, timing=timing))
        entered = event.at
    return rows


def qr_svg(dossier: Dossier) -> tuple[str, Markup]:
    """The public look-up address with the code pre-filled, and its QR code as inline SVG."""
    url = url_for("public.lookup", code=dossier.code, _external=True)
    svg = segno.make(url, error="m").svg_inline(scale=2.5, border=2, omitsize=False)
    return url, Markup(svg)


def _context(kind: SlipKind, dossier: Dossier) -> dict:
    procedure = engine().procedure(dossier.procedure_code)
    ctx: dict = {"slip": kind, "dossier": dossier, "procedure": procedure,
                 "place": current_app.config["ONESTOP_PLACE_NAME"],
                 "issuer": Issuer.of(dossier.receiving_agency, desk=True), "issued_at": dossier.received_at,
                 "slips": available_slips(dossier)}
    if kind.number == "01":
        ctx["lookup_url"], ctx["qr"] = qr_svg(dossier)
    elif kind.number in ("02", "03", "05"):
        event = last_event(dossier, {"02": "request_supplement", "03": "refuse", "05": "withdraw"}[kind.number])
        agency = event.from_agency or dossier.receiving_agency
        at_desk = procedure.step(event.from_step).holder == "desk"
        ctx.update(event=event, issuer=Issuer.of(agency, desk=at_desk), issued_at=event.at, agency=agency,
                   at_desk=at_desk)
        if kind.number == "02":
            ctx["missing"] = [d for d in procedure.required_documents() if d.key not in (dossier.documents or [])]
    elif kind.number == "04":  # from the approved extension that set the current appointment
        extension = latest_approved(dossier)
        ctx.update(extension=extension, agency=extension.agency, issued_at=extension.decided_at,
                   issuer=Issuer.of(extension.agency, desk=False))
    elif kind.number == "06":
        ctx["rows"] = handovers(dossier, procedure)
        if dossier.finished_at is not None and dossier.status == Status.DONE:
            ctx["overall"] = timing_label(dossier.finished_at, dossier.due_at)
    return ctx


def render_slip(kind: SlipKind, dossier: Dossier, *, pdf: bool = False) -> str:
    with force_locale(PAPER_LOCALE):
        context = _context(kind, dossier)
        context["status_label"] = dossier.status_label
    return render_template(kind.template, pdf=pdf, **context)


# --- PDF --------------------------------------------------------------------------------------

def _stylesheet_path() -> Path:
    return Path(current_app.static_folder) / "slips.css"


def html_to_pdf(html: str) -> bytes:
    """Render with the slip stylesheet; nothing is fetched from outside (the QR code is inline)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    css = CSS(string=_stylesheet_path().read_text(encoding="utf-8"), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css])


# --- 07: the tracking ledger ------------------------------------------------------------------

LEDGER_HEADERS = ("STT", "Mã hồ sơ", "Người nộp", "Thủ tục", "Tiếp nhận", "Hẹn trả", "Hoàn thành",
                  "Tình trạng", "Hình thức trả kết quả", "Hình thức nộp")
LEDGER_WIDTHS = (6, 20, 26, 50, 17, 17, 17, 16, 40, 14)
#: how the dossier reached the desk, as the ledger writes it
CHANNEL_LABELS = {"desk": "Trực tiếp", "online": "Trực tuyến", "interconnection": "Liên thông"}
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def can_keep_ledger(user: User) -> bool:
    """Desk clerks keep their desk's ledger; supervisors and admins read their subtree's."""
    return (user.role == Role.CLERK and user.agency.has_desk) or user.role in (Role.SUPERVISOR, Role.ADMIN)


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(), VN_TZ).astimezone(UTC)


def ledger_query(user: User, start: date, end: date) -> Select:
    """Dossiers received in [start, end] (local dates) within the user's ledger scope, one query."""
    scope = (Dossier.receiving_agency_id == user.agency_id if user.role == Role.CLERK
             else dossier_scope(user))
    return (select(Dossier.code, Dossier.applicant_name, Dossier.procedure_code, Dossier.received_at,
                   Dossier.due_at, Dossier.finished_at, Dossier.status, Dossier.delivery_method,
                   Dossier.result_recipient, Dossier.post_waybill, Dossier.channel)
            .where(scope, Dossier.received_at >= local_day_start(start),
                   Dossier.received_at < local_day_start(end + timedelta(days=1)))
            .order_by(Dossier.received_at, Dossier.id))


def returned_how(row) -> str:
    how = DELIVERY_LABELS.get(row.delivery_method, row.delivery_method)
    if row.result_recipient:
        return f"{how} — người nhận: {row.result_recipient}"
    if row.post_waybill:
        return f"{how} — vận đơn {row.post_waybill}"
    return how


def _local_naive(value: datetime | None) -> datetime | None:
    """Excel has no time zones: cells hold the Vietnam wall time."""
    return None if value is None else value.astimezone(VN_TZ).replace(tzinfo=None)


def ledger_workbook(rows, *, agency: Agency, start: date, end: date, subtree: bool) -> bytes:
    with force_locale(PAPER_LOCALE):
        statuses = {status: str(label) for status, label in STATUS_LABELS.items()}
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ theo dõi hồ sơ"
    last_col = get_column_letter(len(LEDGER_HEADERS))
    scope = f"{agency.name} và các đơn vị trực thuộc" if subtree else f"{agency.name} — {DESK_UNIT.capitalize()}"
    titles = ("SỔ THEO DÕI HỒ SƠ", scope, f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}")
    for row_number, text in enumerate(titles, start=1):
        ws.append([text])
        ws.merge_cells(f"A{row_number}:{last_col}{row_number}")
        cell = ws.cell(row=row_number, column=1)
        cell.font = Font(bold=row_number != 3, size=14 if row_number == 1 else 12, italic=row_number == 3)
        cell.alignment = Alignment(horizontal="center")
    ws.append([])
    ws.append(list(LEDGER_HEADERS))
    header_row = ws.max_row
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    procedures = {}
    for number, row in enumerate(rows, start=1):
        if row.procedure_code not in procedures:
            procedures[row.procedure_code] = engine().procedure(row.procedure_code).name
        ws.append([number, row.code, row.applicant_name, procedures[row.procedure_code],
                   _local_naive(row.received_at), _local_naive(row.due_at), _local_naive(row.finished_at),
                   statuses[row.status], returned_how(row), CHANNEL_LABELS.get(row.channel, row.channel)])
        for cell in ws[ws.max_row]:
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for col in (5, 6, 7):
            ws.cell(row=ws.max_row, column=col).number_format = DATETIME_FORMAT
    for col, width in enumerate(LEDGER_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = BytesIO()
    wb.save(out)
    wb.close()
    return out.getvalue()
