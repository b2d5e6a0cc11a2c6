"""Dossier codes: ``{agency code}-{yyMMdd}-{4-digit daily sequence per agency}``.

On PostgreSQL a trigger numbers the dossier in its own INSERT (migration ``e6c1a4f2b8d9``) when it
is given no code, and the INSERT returns the code: one statement less per intake, and the row lock
on the desk's day is held from that INSERT to the commit only. SQLite takes the number first.
"""
from datetime import datetime

from sqlalchemy import bindparam

from onestop.agencies.models import Agency
from onestop.core.calendar import VN_TZ
from onestop.core.dialect import insert, is_postgresql
from onestop.dossiers.models import DailySequence
from onestop.extensions import db


def code_columns(agency: Agency, at: datetime) -> dict:
    """What a new dossier of ``agency`` received ``at`` is given for its code: nothing on
    PostgreSQL (its INSERT numbers it), else the next code."""
    return {} if is_postgresql() else {"code": next_code(agency, at)}


def next_code(agency: Agency, at: datetime) -> str:
    """Take the next number of the agency's local day.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: the row lock makes two clerks
    saving at the same moment get different numbers, on PostgreSQL and on SQLite alike. Built once
    per database kind, with bound parameters: building it costs more than running it.
    """
    day = at.astimezone(VN_TZ).date()
    number = db.session.execute(_statement(), {"agency_id": agency.id, "day": day}).scalar_one()
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


_BUILT: dict[str, object] = {}


def _statement():
    kind = db.session.get_bind().dialect.name
    built = _BUILT.get(kind)
    if built is None:
        table = DailySequence.__table__
        stmt = insert(table).values(agency_id=bindparam("agency_id"), day=bindparam("day"), last_value=1)
        built = _BUILT[kind] = stmt.on_conflict_do_update(
            index_elements=[table.c.agency_id, table.c.day], set_={"last_value": table.c.last_value + 1},
        ).returning(table.c.last_value)
    return built
