"""Paged lists: the page asked for, read safely, and Flask-SQLAlchemy's pagination for row queries.

``?page=`` comes from the address bar: a huge number would overflow the database's OFFSET, and
full-width or other Unicode digits would be read by ``int()``. ``page_number`` takes ASCII digits
only and keeps the page within ``MAX_PAGE``; anything else is page 1.
"""
import re

from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import func, select

from onestop.core.database import db

MAX_PAGE = 100_000
_DIGITS = re.compile(r"[0-9]{1,7}")


def page_number() -> int:
    text = request.args.get("page", "").strip()
    return min(MAX_PAGE, max(1, int(text))) if _DIGITS.fullmatch(text) else 1


class RowPagination(Pagination):
    """Like ``db.paginate``, for a select of several columns (rows rather than scalars)."""

    def _query_items(self) -> list:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(query).all())

    def _query_count(self) -> int:
        sub = self._query_args["select"].order_by(None).subquery()
        return self._query_args["session"].execute(select(func.count()).select_from(sub)).scalar()


def paginate(query, *, per_page: int, rows: bool = False, count: bool = True) -> Pagination:
    """One page of ``query`` at ``page_number()``; ``rows``: the select has several columns."""
    kind = RowPagination if rows else SelectPagination
    return kind(select=query, session=db.session, page=page_number(), per_page=per_page, max_per_page=None,
                error_out=False, count=count)
