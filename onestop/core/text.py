"""Text as it enters and leaves: what every value from a browser is cleaned of, and what an
official export makes safe.

``clean``: control characters (Unicode category Cc) other than TAB, LF and CR are dropped, and the
text is composed (NFC). A NUL makes PostgreSQL refuse the whole statement; an ESC or a form feed
pasted from a scanner's output is invisible on screen, refused in an XLSX cell and never meant.
Vietnamese typed on some systems arrives decomposed (``e`` + combining marks): composed, it
compares and searches like the same word typed elsewhere.

``cell``: text for a spreadsheet or CSV cell: cleaned, its line breaks kept, and a value a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, TAB or CR) is
prefixed with an apostrophe, which spreadsheets show as plain text (CSV/formula injection).
"""
import unicodedata

from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

_KEEP = {"\t", "\n", "\r"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text
    text = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", text)


def cell(value):
    """A value for an export cell: text made safe, other values (numbers, dates) as they are."""
    if not isinstance(value, str):
        return value
    text = "".join(ch for ch in clean(value) if ch in "\n" or unicodedata.category(ch) != "Cc")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class CleanMultiDict(ImmutableMultiDict):
    """The query string and form of every request, with ``clean`` keys and text values."""

    def __init__(self, mapping=None):
        super().__init__([(clean(k) if isinstance(k, str) else k, clean(v) if isinstance(v, str) else v)
                          for k, v in iter_multi_items(mapping or ())])
