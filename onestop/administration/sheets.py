"""Reading and writing the lists of staff and agencies as XLSX (openpyxl) or CSV.

Columns are found by their header, compared without accents or case, so "Tên đăng nhập",
"ten dang nhap" and the key ``username`` all name the same column, in any order. Files are written
by the reports' writer (``core/exports.py``), which makes every cell safe for spreadsheets.
"""
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import Response
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from onestop.core.exports import Table, send
from onestop.core.folding import fold

MAX_ROWS = 5000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    key: str
    #: the Vietnamese header written in exports (the file is an official list)
    header: str



def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith("'"):  # written by ``cell`` to defuse a formula: read back as typed
        text = text[1:]
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def read(filename: str, data: bytes, columns: list[Column]) -> list[tuple[int, dict[str, str]]]:
    """``(line number, {column key: text})`` for each non-blank row; ``SheetError`` with the reason."""
    from flask_babel import gettext as _

    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, IndexError):
            raise SheetError(_("Không đọc được tệp XLSX.")) from None
        rows = ([_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
    elif filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SheetError(_("Tệp CSV phải ở mã UTF-8.")) from None
        rows = ([_text(v) for v in row] for row in csv.reader(io.StringIO(text)))
    else:
        raise SheetError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    names = {fold(c.key): c.key for c in columns} | {fold(c.header): c.key for c in columns}
    header = next(rows, None)
    if not header:
        raise SheetError(_("Tệp không có dòng tiêu đề."))
    keys = [names.get(fold(h)) for h in header]
    missing = [c.header for c in columns if c.key not in keys]
    if missing:
        raise SheetError(_("Thiếu cột: %(columns)s.", columns=", ".join(missing)))
    found = []
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        if len(found) >= MAX_ROWS:
            raise SheetError(_("Tệp có quá %(n)s dòng; chia thành nhiều tệp.", n=MAX_ROWS))
        found.append((number, {k: (row[i] if i < len(row) else "") for i, k in enumerate(keys) if k}))
    return found


def response(name: str, fmt: str, columns: list[Column], rows: list[dict]) -> Response:
    """The list as a download, ``fmt`` ``xlsx`` or ``csv``: the header row, then a row per item, as
    the import reads it back (``core/exports.py`` writes it, its cells made safe)."""
    table = Table(title="", subtitle="", name=name, headers=[[c.header for c in columns]],
                  rows=[[row.get(c.key, "") for c in columns] for row in rows],
                  widths=[max(12, len(c.header) + 4) for c in columns])
    return send(table, fmt)
