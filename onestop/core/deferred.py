"""Writes that need no answer, sent with the session's next statement instead of on their own.

Rows a request writes and never reads back (the step visits: one closed and one opened on every
move; audit lines) are handed to ``defer`` as data-modifying CTEs. On PostgreSQL they wait in the
session until the next statement it sends:

* the statement that ``carry`` is given (the submission key's claim or its answer, a request's
  last statement) sends them in its ``WITH``: no round trip of their own;
* any other statement of the session (a query that could read the table they write, a lazy load)
  or its commit sends them first, on their own, in one statement.

Either way they are written in the request's transaction before the session can read what they
change, and a rollback drops them with the rest. The CTEs of one ``defer`` keep their order only
through what they read of each other (PostgreSQL runs the parts of a ``WITH`` in no set order):
``after`` makes a statement read the one before it to the end first.

SQLite has no data-modifying ``WITH``, and a savepoint's rollback would have to drop what was
deferred inside it: ``available()`` says no to both, and the callers send their statements at once.
A savepoint begun while writes wait sends them first, in the enclosing transaction.
"""
from sqlalchemy import event, func, literal, select
from sqlalchemy.orm import ORMExecuteState, Session

from onestop.core.database import db
from onestop.core.dialect import is_postgresql

_PENDING = "onestop_deferred_writes"
#: the execution option of the statement that carries the pending writes itself
CARRIES = "onestop_carries_deferred"


def available() -> bool:
    return is_postgresql() and not db.session().in_nested_transaction()


def name(offset: int = 0) -> str:
    """A name for a CTE about to be deferred, unique among those waiting in the session
    (``offset``: the CTEs of the same ``defer`` made before it)."""
    return f"deferred_{len(db.session.info.get(_PENDING, ())) + offset}"


def values(table, row: dict, *, defaults: bool = False) -> dict:
    """``row`` as values for a write of ``table`` that waits: each an anonymous bound literal, and
    with ``defaults`` (an INSERT) the columns' own defaults for what ``row`` leaves out. Plain
    values, and the defaults SQLAlchemy adds itself, are bound under their column's name: two
    writes of one table waiting together (two visits opened, two audit lines) would then share one
    name in the statement that sends them, which it cannot compile."""
    row = dict(row)
    if defaults:
        for column in table.columns:
            if column.name not in row and column.default is not None:
                default = column.default
                row[column.name] = default.arg(None) if default.is_callable else default.arg
    return {name: literal(value, table.c[name].type) for name, value in row.items()}


def after(cte):
    """A one-row subquery that reads ``cte`` to the end: a statement that selects from it runs
    only once ``cte``'s write is done."""
    return select(func.count()).select_from(cte).scalar_subquery()


def defer(*ctes) -> None:
    db.session.info.setdefault(_PENDING, []).extend(ctes)


def carry(statement):
    """``statement`` with the session's pending writes in its ``WITH``, which it now owns."""
    pending = db.session.info.pop(_PENDING, None)
    statement = statement.execution_options(**{CARRIES: True})
    return statement.add_cte(*pending) if pending else statement


def release(session: Session) -> None:
    """Send the session's pending writes now, in one statement."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.execute(select(literal(1)).add_cte(*pending).execution_options(**{CARRIES: True}))


@event.listens_for(Session, "do_orm_execute")
def _before_any_statement(state: ORMExecuteState) -> None:
    if _PENDING in state.session.info and not state.execution_options.get(CARRIES):
        release(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    release(session)


@event.listens_for(Session, "after_transaction_create")
def _before_savepoint(session: Session, transaction) -> None:
    """The savepoint's own SAVEPOINT is sent only with its first statement: until then the
    enclosing transaction's connection still writes outside it."""
    if transaction.nested and _PENDING in session.info:
        pending = session.info.pop(_PENDING)
        transaction.parent.connection(None).execute(select(literal(1)).add_cte(*pending))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
