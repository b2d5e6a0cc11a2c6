"""The header search: one box, whatever the user typed.

What the text looks like decides what it is compared with:

* digits only (spaces, dots, dashes and a leading ``+84`` allowed; digits of any script): an ID
  number or a phone number, exactly (``0912 345 678`` finds ``0912345678``);
* a dossier code, whole or its beginning (``HB-``, ``HB-2612``, ``hb-261201-0001``): an agency code,
  a dash, then digits;
* anything else: the applicant's name, anywhere in it, without accents or case (``nguyen van a``
  finds "Nguyễn Văn An"), at least ``MIN_NAME`` characters.

Open and closed dossiers alike, only within the user's scope (``dossiers.scope.dossier_scope``),
the latest received first. The name is compared with ``Dossier.applicant_name_folded`` (kept by the
model); on PostgreSQL a trigram index (``pg_trgm``) serves the ``LIKE '%…%'``, and codes a pattern
index; ``bench/search_bench.py`` times both against 2,000,000 dossiers beside the bare SQL.
"""
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from onestop.auth.models import User
from onestop.core.folding import ascii_digits, fold
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


def predicate(query: Query):
    if query.kind == "number":
        return or_(Dossier.applicant_id_number == query.value[:12], Dossier.applicant_phone == query.value)
    if query.kind == "code":
        return Dossier.code.startswith(query.value, autoescape=True)
    return Dossier.applicant_name_folded.contains(query.value, autoescape=True)


def search_statement(user: User, query: Query, limit: int = LIMIT):
    """The statement of one search (also what the benchmark times)."""
    return (select(Dossier).where(predicate(query), dossier_scope(user))
            .order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(limit + 1))


def search(user: User, query: Query, limit: int = LIMIT) -> tuple[list[Dossier], bool]:
    """Up to ``limit`` dossiers in scope, and whether there were more."""
    if query.kind not in ("number", "code", "name"):
        return [], False
    rows = list(db.session.scalars(search_statement(user, query, limit).options(
        selectinload(Dossier.holder_agency), selectinload(Dossier.receiving_agency))))
    return rows[:limit], len(rows) > limit
