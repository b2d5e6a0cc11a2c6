"""Reading and writing the lists of staff and agencies as XLSX (openpyxl) or CSV.

Columns are found by their header, compared without accents or case, so "Tên đăng nhập",
"ten dang nhap" and the key ``username`` all name the same column, in any order. Written cells are
made safe for spreadsheets: control characters dropped, and text a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@`` first) prefixed with an apostrophe.
"""
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import Response
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from onestop.core.folding import fold

MAX_ROWS = 5000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SheetError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    key: str
    #: the Vietnamese header written in exports (the file is an official list)
    header: str


def cell(value):
    """A value for an exported cell: text without control characters, never a formula."""
    if not isinstance(value, str):
        return value
    text = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) != "Cc")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


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
    """The list as a download: ``fmt`` is ``xlsx`` or ``csv``."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow([cell(row.get(c.key, "")) for c in columns])
        body, mimetype = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        book = Workbook()
        sheet = book.active
        sheet.append([c.header for c in columns])
        for row in rows:
            sheet.append([cell(row.get(c.key, "")) for c in columns])
        for index, column in enumerate(columns):
            sheet.column_dimensions[chr(65 + index)].width = max(12, len(column.header) + 4)
        buffer = io.BytesIO()
        book.save(buffer)
        body, mimetype = buffer.getvalue(), XLSX_MIME
    answer = Response(body, mimetype=mimetype)
    answer.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    answer.headers["Cache-Control"] = "no-store"
    return answer
