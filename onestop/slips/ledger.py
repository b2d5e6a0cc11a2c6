"""Slip 07, the tracking ledger (sổ theo dõi hồ sơ) of a period, as an XLSX workbook."""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core.calendar import VN_TZ
from onestop.core.exports import Table
from onestop.core.i18n import on_paper
from onestop.dossiers.models import STATUS_LABELS, Dossier
from onestop.dossiers.scope import dossier_scope
from onestop.slips.papers import DELIVERY_LABELS, DESK_UNIT
from onestop.workflows.engine import engine

LEDGER_HEADERS = ("STT", "Mã hồ sơ", "Người nộp", "Thủ tục", "Tiếp nhận", "Hẹn trả", "Hoàn thành",
                  "Tình trạng", "Hình thức trả kết quả", "Hình thức nộp")
LEDGER_WIDTHS = (6, 20, 26, 50, 17, 17, 17, 16, 40, 24)
#: how the dossier reached the desk, as the ledger writes it
CHANNEL_LABELS = {"desk": "Trực tiếp", "online": "Trực tuyến", "interconnection": "Liên thông", "post": "Bưu chính"}


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
                   Dossier.result_recipient, Dossier.post_waybill, Dossier.channel, Dossier.intake_waybill,
                   Dossier.posted_on)
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


def filed_how(row) -> str:
    """How it reached the desk; a posted dossier with its waybill and the day the post office took it."""
    how = CHANNEL_LABELS.get(row.channel, row.channel)
    if row.channel == "post" and row.intake_waybill:
        return f"{how} — vận đơn {row.intake_waybill}, gửi ngày {row.posted_on:%d/%m/%Y}"
    return how


def ledger_table(rows, *, agency: Agency, start: date, end: date, subtree: bool) -> Table:
    with on_paper():
        statuses = {status: str(label) for status, label in STATUS_LABELS.items()}
    scope = f"{agency.name} và các đơn vị trực thuộc" if subtree else f"{agency.name} — {DESK_UNIT.capitalize()}"
    table = Table(title="SỔ THEO DÕI HỒ SƠ", subtitle=scope, more_titles=[f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"],
                  name=f"so-theo-doi-ho-so-{agency.code}-{start:%Y%m%d}-{end:%Y%m%d}", headers=[list(LEDGER_HEADERS)],
                  paper=True, widths=list(LEDGER_WIDTHS))
    procedures = {}
    for number, row in enumerate(rows, start=1):
        if row.procedure_code not in procedures:
            procedures[row.procedure_code] = engine().procedure(row.procedure_code).name
        table.add([number, row.code, row.applicant_name, procedures[row.procedure_code], row.received_at, row.due_at,
                   row.finished_at, statuses[row.status], returned_how(row), filed_how(row)])
    return table
