"""CSV and XLSX files of a report, built from one table description.

Every file starts with a title row naming the report, the agency and the period (and when it
was made), and its file name says the same: ``thong-ke_HP_2026-12.xlsx``.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
_MIME = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Table:
    #: e.g. "Thống kê tình hình giải quyết hồ sơ"
    title: str
    #: agency and period, printed under the title
    subtitle: str
    #: file name without extension, ASCII
    name: str
    #: one or more header rows (a group row above the column names is allowed)
    headers: list[list[str]]
    rows: list[list] = field(default_factory=list)
    #: extra lines printed after the table (definitions, notes)
    notes: list[str] = field(default_factory=list)

    def add(self, row: list) -> None:
        self.rows.append(row)


def slug(text: str) -> str:
    """ASCII file-name part of a Vietnamese text."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "bao-cao"


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([table.title])
    writer.writerow([table.subtitle])
    for header in table.headers:
        writer.writerow(header)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    for note in table.notes:
        writer.writerow([note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes spreadsheet programs read UTF-8


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31].strip() or "Báo cáo"
    width = max([len(h) for h in table.headers] + [len(r) for r in table.rows] + [1])
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([table.subtitle])
    sheet["A2"].font = Font(italic=True)
    fill = PatternFill("solid", fgColor="EEF2F5")
    for header in table.headers:
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    first_data = sheet.max_row + 1
    for row in table.rows:
        sheet.append(row)
    for note in table.notes:
        sheet.append([note])
    sheet.freeze_panes = sheet.cell(row=first_data, column=2)
    for i in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 40 if i == 1 else 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send(table: Table, fmt: str) -> Response:
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    response = Response(body, mimetype=_MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response
