"""Slip 07, the tracking ledger (sổ theo dõi hồ sơ) of a period, as an XLSX workbook."""
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core.calendar import VN_TZ
from onestop.core.i18n import on_paper
from onestop.dossiers.models import STATUS_LABELS, Dossier
from onestop.dossiers.scope import dossier_scope
from onestop.slips.papers import DELIVERY_LABELS, DESK_UNIT
from onestop.workflows.engine import engine

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
    with on_paper():
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
