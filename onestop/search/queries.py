"""The header search: one box, whatever the user typed.

What the text looks like decides what it is compared with:

* digits only (spaces, dots, dashes and a leading ``+84`` allowed; digits of any script): an ID
  number or a phone number, exactly (``0912 345 678`` finds ``0912345678``);
* a dossier code, whole or its beginning (``HB-``, ``HB-2612``, ``hb-261201-0001``): an agency code,
  a dash, then digits;
* anything else: the applicant's name from its beginning, without accents or case (``nguyen van a``
  finds "Nguyễn Văn An"), at least ``MIN_NAME`` characters; when no name begins so, a name that
  contains it (``van an``, ``thi huong``);
* when a name or a number finds nothing, the procedure's own data (``dossiers/details.py``): every
  word in the fields the desk recorded, label or value (``thua 125``, ``to 14``, the child's name).

Open and closed dossiers alike, only within the user's scope (``dossiers.scope.dossier_scope``),
the latest received first. Names are compared in ``Dossier.applicant_name_folded`` (kept by the
model). On PostgreSQL a pattern index covering what the ordering and the scope read (received time,
id, holder, receiving desk) answers the name's beginning with an index-only scan, and the rows are
read for the page's 50 alone; the "contains" fallback has a trigram index (``pg_trgm``), which is
slower for pieces as common as "thi"; codes have a pattern index. ``bench/search_bench.py`` times
them against 2,000,000 dossiers beside the bare SQL.
"""
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from onestop.auth.models import User
from onestop.core.folding import ascii_digits, fold
from onestop.dossiers.details import details_match
from onestop.dossiers.models import Dossier
from onestop.dossiers.scope import dossier_scope
from onestop.extensions import db

MIN_NAME = 3
LIMIT = 50
_NUMBER = re.compile(r"^\+?[\d\s.\-()]+$")
_CODE = re.compile(r"^[A-Z0-9_]+-[0-9]{0,6}(-[0-9]{0,4})?$")


@dataclass(frozen=True)
class Query:
    #: ``number``, ``code``, ``name``; ``short`` when the text is too short to search; ``empty``
    kind: str
    value: str


def parse(text: str | None) -> Query:
    text = "".join(ch for ch in (text or "") if ch.isprintable()).strip()[:100]
    if not text:
        return Query("empty", "")
    if _NUMBER.match(text) and ascii_digits(text):
        digits = ascii_digits(text)
        if text.startswith("+84"):
            digits = "0" + digits[2:]
        return Query("number", digits[:20])
    code = text.upper().replace(" ", "")
    if _CODE.match(code):
        return Query("code", code)
    name = fold(text)
    if len(name.replace(" ", "")) < MIN_NAME:
        return Query("short", name)
    return Query("name", name)


def predicate(query: Query, *, within: bool = False, details: bool = False):
    if details:
        return details_match(query.value)
    if query.kind == "number":
        return or_(Dossier.applicant_id_number == query.value[:12], Dossier.applicant_phone == query.value)
    if query.kind == "code":
        return Dossier.code.startswith(query.value, autoescape=True)
    if within:
        return Dossier.applicant_name_folded.contains(query.value, autoescape=True)
    return Dossier.applicant_name_folded.startswith(query.value, autoescape=True)


def search_statement(user: User, query: Query, limit: int = LIMIT, *, within: bool = False, details: bool = False):
    """The statement of one search (also what the benchmark times): the ids of the page found first
    (from the index alone where it can), then their rows."""
    newest = (Dossier.received_at.desc(), Dossier.id.desc())
    ids = (select(Dossier.id).where(predicate(query, within=within, details=details), dossier_scope(user))
           .order_by(*newest).limit(limit + 1))
    return select(Dossier).where(Dossier.id.in_(ids.scalar_subquery())).order_by(*newest)


def search(user: User, query: Query, limit: int = LIMIT) -> tuple[list[Dossier], bool]:
    """Up to ``limit`` dossiers in scope, and whether there were more."""
    if query.kind not in ("number", "code", "name"):
        return [], False
    rows = _run(search_statement(user, query, limit))
    if not rows and query.kind == "name":
        rows = _run(search_statement(user, query, limit, within=True))
    if not rows and query.kind in ("name", "number"):
        rows = _run(search_statement(user, query, limit, details=True))
    return rows[:limit], len(rows) > limit


def _run(statement) -> list[Dossier]:
    return list(db.session.scalars(statement.options(selectinload(Dossier.holder_agency))))
