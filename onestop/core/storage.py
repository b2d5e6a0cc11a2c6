"""Stored files (attachments of dossiers, files of online applications): under
``instance/attachments/``, named by us, never by the uploader; their columns; how they are served.

The type is read from the file's first bytes (``filetype``), so a program renamed to ``.pdf`` is
refused whatever the browser claims; the extension of the stored name comes from that type too.
"""
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app, send_file
from flask_babel import gettext as _
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core import clock

#: what a desk scans and staff draft: documents and pictures, nothing that runs
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
ALLOWED_EXTENSIONS = sorted(set(ALLOWED_TYPES.values()) | {"jpeg", "tiff"})
#: shown in the browser; anything else is downloaded
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")


class StoredFileColumns:
    """The columns of a row that stands for one stored file."""

    #: the generated file name under the attachments folder (``yyyy/mm/<random>.<ext>``)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    #: the name the file had on the uploader's computer, for display and download only
    filename: Mapped[str] = mapped_column(String(200))
    #: the type read from the file's content, not the one the browser claimed
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def folder() -> Path:
    return Path(current_app.config["ONESTOP_ATTACHMENT_DIR"])


def max_bytes() -> int:
    return int(current_app.config["ONESTOP_ATTACHMENT_MAX_MB"] * 1024 * 1024)


def sniff(data: bytes) -> str | None:
    """The MIME type of an allowed kind of file, from its content; None if not allowed."""
    kind = filetype.guess(data)
    return kind.mime if kind is not None and kind.mime in ALLOWED_TYPES else None


def problem(data: bytes) -> str | None:
    """Why these bytes cannot be attached (in the request's language), or None."""
    if not data:
        return _("Tệp rỗng.")
    if len(data) > max_bytes():
        return _("Tệp quá lớn: tối đa %(mb)s MB.", mb=f"{current_app.config['ONESTOP_ATTACHMENT_MAX_MB']:g}")
    if sniff(data) is None:
        return _("Chỉ nhận tệp %(kinds)s.", kinds=", ".join(e.upper() for e in ALLOWED_TYPES.values()))
    return None


def display_name(name: str) -> str:
    """The uploader's file name without folders or control characters, NFC, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:199 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "tep-dinh-kem"


def save(data: bytes, content_type: str) -> StoredFile:
    """Write the bytes under a new random name; the caller has checked the type and the size."""
    now = clock.now()
    stored_name = f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{ALLOWED_TYPES[content_type]}"
    path = folder() / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    return StoredFile(stored_name, content_type, len(data), hashlib.sha256(data).hexdigest())


def path_of(stored_name: str) -> Path:
    return folder() / stored_name


def discard(stored_name: str) -> None:
    """Delete a file whose row was never committed."""
    path_of(stored_name).unlink(missing_ok=True)


def serve(row: StoredFileColumns):
    """Send a stored file under its own name and its checked type, which the browser may not
    second-guess; shown (sandboxed, never run) when it is a PDF or a picture, downloaded otherwise."""
    response = send_file(path_of(row.stored_name), mimetype=row.content_type,
                         as_attachment=row.content_type not in INLINE_TYPES, download_name=row.filename,
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
