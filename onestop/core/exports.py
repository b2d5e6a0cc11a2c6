"""CSV and XLSX files built from one table description: the reports' exports and the tracking ledger.

Every file starts with the title lines (what it is, the agency, the period), then the header rows,
the rows and the notes; its file name says the same (``thong-ke_HP_2026-12.xlsx``). Every text cell
goes through ``core.text.cell``: control characters out, and a text a spreadsheet would run as a
formula (``=HYPERLINK(…)`` in an applicant's name) written as plain text. ``paper=True`` lays the
sheet out as an official paper to print: bordered, the titles centred over the table, A4 landscape,
the header row repeated on every page.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from onestop.core.calendar import VN_TZ
from onestop.core.text import cell

FORMATS = ("csv", "xlsx")
_MIME = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


@dataclass
class Table:
    #: e.g. "Thống kê tình hình giải quyết hồ sơ"
    title: str
    #: agency and period, printed under the title (more lines in ``more_titles``)
    subtitle: str
    #: file name without extension, ASCII
    name: str
    #: one or more header rows (a group row above the column names is allowed)
    headers: list[list[str]]
    rows: list[list] = field(default_factory=list)
    #: extra lines printed after the table (definitions, notes)
    notes: list[str] = field(default_factory=list)
    more_titles: list[str] = field(default_factory=list)
    #: lay the sheet out as an official paper (see the module's docstring)
    paper: bool = False
    #: column widths in characters; by default the first column wide, the others narrow
    widths: list[int] | None = None

    def add(self, row: list) -> None:
        self.rows.append(row)

    @property
    def titles(self) -> list[str]:
        return [self.title, self.subtitle, *self.more_titles]


def slug(text: str) -> str:
    """ASCII file-name part of a Vietnamese text."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "bao-cao"


def local_naive(value: datetime | None) -> datetime | None:
    """Spreadsheets have no time zones: cells hold the Vietnam wall time."""
    return None if value is None else value.astimezone(VN_TZ).replace(tzinfo=None)


def _values(row) -> list:
    return [cell(local_naive(v) if isinstance(v, datetime) else v) for v in row]


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in table.titles:
        writer.writerow(_values([line]))
    for header in table.headers:
        writer.writerow(_values(header))
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in _values(row)])
    for note in table.notes:
        writer.writerow(_values([note]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes spreadsheet programs read UTF-8


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31].strip() or "Báo cáo"
    width = max([len(h) for h in table.headers] + [len(r) for r in table.rows] + [1])
    last_col = get_column_letter(width)
    for number, line in enumerate(table.titles, start=1):
        sheet.append(_values([line]))
        title = sheet.cell(row=number, column=1)
        if table.paper:
            sheet.merge_cells(f"A{number}:{last_col}{number}")
            title.alignment = Alignment(horizontal="center")
            title.font = Font(bold=number < 3, size=14 if number == 1 else 12, italic=number >= 3)
        else:
            title.font = Font(bold=True, size=13) if number == 1 else Font(italic=True)
    if table.paper:
        sheet.append([])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin) if table.paper else None
    fill = None if table.paper else PatternFill("solid", fgColor="EEF2F5")
    for header in table.headers:
        sheet.append(_values(header))
        for c in sheet[sheet.max_row]:
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="center" if table.paper else "top",
                                    horizontal="center" if table.paper else None)
            if fill is not None:
                c.fill = fill
            if border is not None:
                c.border = border
    header_row = sheet.max_row
    for row in table.rows:
        sheet.append(_values(row))
        for original, c in zip(row, sheet[sheet.max_row], strict=False):
            if isinstance(original, datetime):
                c.number_format = DATETIME_FORMAT
            if border is not None:
                c.border = border
                c.alignment = Alignment(vertical="top", wrap_text=True)
    for note in table.notes:
        sheet.append(_values([note]))
    widths = table.widths or [40] + [14] * (width - 1)
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1 if table.paper else 2)
    if table.paper:
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    book.close()
    return out.getvalue()


def send(table: Table, fmt: str) -> Response:
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    response = Response(body, mimetype=_MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response
