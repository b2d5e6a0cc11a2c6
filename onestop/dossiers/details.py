"""The procedure's own data of a dossier (``Dossier.details``), as the dossier page, the slips and
search read it.

The values are stored as the procedure's declared fields parse them (``workflows/fields.py``);
``shown`` lists them as printed, in the order the procedure file declares them. For search,
``details_text`` keeps the values folded (lower case, accents and đ taken off, runs of spaces
made one) so that "nguyen van an" finds "Nguyễn Văn An" and "thửa 123" the parcel 123:
``details_match(words)`` is the SQL test every word must pass.
"""
import re
import unicodedata

from sqlalchemy import and_, true

from onestop.dossiers.models import Dossier
from onestop.workflows.definition import Procedure


def fold(text: str) -> str:
    """Lower case, without accents (đ → d), one space between words."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().lower()


def shown(procedure: Procedure, details: dict | None) -> list[tuple[str, str]]:
    """(label, value as printed) of each field that has a value, in the file's order."""
    details = details or {}
    return [(spec.label, spec.display(details[spec.key])) for spec in procedure.fields
            if details.get(spec.key) not in (None, "")]


def details_search_text(procedure: Procedure, details: dict | None) -> str | None:
    """The folded text search compares with: each field's label and value, e.g. ``so thua: 123``."""
    parts = [f"{fold(label)}: {fold(value)}" for label, value in shown(procedure, details)]
    return " | ".join(parts) or None


def details_match(words: str):
    """SQL: the dossier's own data contains every word of ``words`` (folded)."""
    terms = [w for w in fold(words).split(" ") if w]
    if not terms:
        return true()
    return and_(*[Dossier.details_text.contains(term, autoescape=True) for term in terms])
