"""Caches per process for what changes rarely, kept true by a version stamp in the database.

The calendar's overrides, the reminder rules, the agency tree and the webhook subscriptions are
read by nearly every request, and change a few times a year. Each process keeps them in memory
(``ProcessCache``), labelled with the stamp of its name in ``cache_versions`` at the time it read
them. A request reads every stamp once (``versions()``: one small SELECT, or folded into the
user's own load by ``stamp_columns()``); a cache whose label differs reloads. So a change made by
an admin on one worker is seen by every worker on its next request.

A stamp is a random token, not a counter: a rolled-back change (a refused edit, or a test's
transaction) puts the old token back, and a later change can never make an old token current
again, which a counter could (one change rolled back, another committed: both "version 2").

The stamp is changed in the same transaction as the change itself, without anyone having to
remember it: models declare the cache they feed (``watch(Model, name)``), and every flush that
adds, changes or deletes such a row, and every ORM bulk UPDATE or DELETE of such a model, writes a
new token (``_bump``). The request that made the change sees its own new token at once.
"""
from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from flask import g, has_app_context
from sqlalchemy import String, event, literal, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from onestop.core.database import db

T = TypeVar("T")

#: model class → the names of the caches its rows feed
_WATCHED: dict[type, set[str]] = {}
#: model class → columns whose change alone does not touch any cache (e.g. a last-used time)
_IGNORED: dict[type, frozenset[str]] = {}
NAMES: set[str] = set()


class CacheVersion(db.Model):
    """The stamp of one cache: changes whenever a row it is built from changes."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))


def watch(model: type, name: str, *, ignore: tuple[str, ...] = ()) -> None:
    """Rows of ``model`` feed the cache ``name``: changing one changes the stamp (``ignore``: columns
    whose change alone does not matter to the cache)."""
    NAMES.add(name)
    _WATCHED.setdefault(model, set()).add(name)
    if ignore:
        _IGNORED[model] = frozenset(ignore)


def _known() -> dict[str, str]:
    return g.setdefault("_onestop_versions", {})


_COLUMNS: dict[frozenset, list] = {}


def stamp_columns() -> list:
    """Every stamp as a labelled scalar subquery, to add to a statement the request makes anyway
    (the user's load); hand the row to ``remember``. Built once (per set of names)."""
    names = frozenset(NAMES)
    columns = _COLUMNS.get(names)
    if columns is None:
        columns = _COLUMNS[names] = [
            select(CacheVersion.version).where(CacheVersion.name == name).scalar_subquery().label(f"v_{name}")
            for name in sorted(names)]
    return columns


def remember(row) -> None:
    """Keep the stamps read by a statement built with ``stamp_columns`` for this request."""
    known = _known()
    for name in NAMES:
        known[name] = getattr(row, f"v_{name}") or ""


def version(name: str) -> str:
    """The stamp of ``name`` in force for this request (or task): read once, with every other stamp."""
    known = _known()
    if name not in known:
        rows = dict(db.session.execute(select(CacheVersion.name, CacheVersion.version)).all())
        for each in NAMES | {name}:
            known.setdefault(each, rows.get(each, ""))
    return known[name]


def bump(session: Session, names: set[str]) -> None:
    """Write a new stamp for each name, in the session's transaction; this request sees it at once."""
    bind = session.connection()
    known = _known() if has_app_context() else {}
    for name in sorted(names):
        token = secrets.token_hex(16)
        table = CacheVersion.__table__
        if not bind.execute(update(table).where(table.c.name == name).values(version=token)).rowcount:
            bind.execute(table.insert().from_select(["name", "version"], select(literal(name), literal(token)).where(
                ~select(table.c.name).where(table.c.name == name).exists())))
        known[name] = token


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context, _instances) -> None:
    touched: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        names = _WATCHED.get(type(obj))
        if not names or names <= touched:
            continue
        if obj in session.dirty and not _changed(session, obj):
            continue
        touched |= names
    if touched:
        bump(session, touched)


def _changed(session: Session, obj) -> bool:
    from sqlalchemy import inspect

    ignored = _IGNORED.get(type(obj), frozenset())
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in ignored)


@event.listens_for(Session, "do_orm_execute")
def _on_bulk(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_arguments.get("mapper")
    names = _WATCHED.get(mapper.class_) if mapper is not None else None
    if names:
        bump(state.session, names)


class ProcessCache(Generic[T]):
    """One value per process (and database), reloaded by ``load()`` when the stamp of ``name`` changed."""

    def __init__(self, name: str, load: Callable[[], T]):
        NAMES.add(name)
        self.name, self._load = name, load
        self._held: dict[tuple, tuple[str, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: object = None) -> T:
        """The value for this database (and ``key``: what else the load reads, e.g. a setting).

        A change pending in the session is flushed first, as a query would: its flush writes the new
        stamp, so the value this request reads is labelled with it. Read before the flush, the old
        stamp would label a value holding the change, and a rollback would leave that value current."""
        if db.session.autoflush:
            db.session.flush()
        current = version(self.name)
        where = (str(db.engine.url), key)
        held = self._held.get(where)
        if held is not None and held[0] == current:
            return held[1]
        value = self._load()  # read after the stamp: at least as new as the stamp says
        with self._lock:
            self._held[where] = (current, value)
        return value


def forget() -> None:
    """Drop the stamps read so far (each request starts afresh; see ``create_app``)."""
    g.pop("_onestop_versions", None)
