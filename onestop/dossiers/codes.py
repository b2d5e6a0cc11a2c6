"""Dossier codes: ``{agency code}-{yyMMdd}-{4-digit daily sequence per agency}``."""
from datetime import datetime

from onestop.agencies.models import Agency
from onestop.core.calendar import VN_TZ
from onestop.core.dialect import insert
from onestop.dossiers.models import DailySequence
from onestop.extensions import db


def next_code(agency: Agency, at: datetime) -> str:
    """Take the next number of the agency's local day.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: the row lock makes two clerks
    saving at the same moment get different numbers, on PostgreSQL and on SQLite alike.
    """
    day = at.astimezone(VN_TZ).date()
    stmt = insert(DailySequence).values(agency_id=agency.id, day=day, last_value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DailySequence.agency_id, DailySequence.day],
        set_={"last_value": DailySequence.last_value + 1},
    ).returning(DailySequence.last_value)
    number = db.session.execute(stmt).scalar_one()
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"
