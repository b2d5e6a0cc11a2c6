"""The one door every verb that changes a dossier goes through.

A verb is a function ``verb(subject, actor, ...)`` declared with ``@verb("<name>", refused=...)``.
Before its body runs, the door

1. takes the lock of the dossier the subject belongs to (``SELECT … FOR UPDATE`` on PostgreSQL;
   on SQLite every transaction holds the database's write lock from its start) and reads the
   subject afresh, so that of two people acting at once (or a double click) the second sees the
   first one's decision and is refused, instead of both winning;
2. asks the subject ``can_<name>(actor)``: the same method the views and templates ask before they
   show the button, so what is offered and what is allowed cannot drift apart.

An actor of ``None`` is the system (routing, the sweep): it is locked but not asked. The subject is
a ``Dossier``, or a row that belongs to one (``subject.dossier``: a consultation, an extension
request, an attachment), or a row that is locked on its own (an online application: ``lock_self``).

Every verb flushes, never commits: the request (``core/submit.py``) or the task commits once.
"""
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from onestop.core.errors import OperationError
from onestop.extensions import db

F = TypeVar("F", bound=Callable)

#: every declared verb: ``"module.function"`` → the name of its permission (``can_<name>``)
VERBS: dict[str, str] = {}


_LOCKED = "onestop_locked_rows"


def lock(row) -> None:
    """Take the row's lock and read it afresh (what the caller set on it is flushed first, and kept);
    nothing to do when this transaction loaded it with its lock already (``load_locked``)."""
    if _key(row) in db.session.info.get(_LOCKED, ()):
        return
    db.session.flush()
    db.session.refresh(row, with_for_update=True)
    _held(row)


def load_locked(statement):
    """The one row ``statement`` selects, loaded afresh with its lock (``SELECT … FOR UPDATE``), so
    the verb that follows in this transaction need not read it again; None when none. When the
    statement selects more than the row (what the verb will read of it, joined), the whole result
    row, the locked row first."""
    result = db.session.execute(statement.with_for_update(of=statement.column_descriptions[0]["entity"])
                                .execution_options(populate_existing=True)).first()
    if result is None:
        return None
    _held(result[0])
    return result if len(result) > 1 else result[0]


def _key(row) -> tuple:
    return type(row), inspect(row).identity


def _held(row) -> None:
    db.session.info.setdefault(_LOCKED, set()).add(_key(row))


@event.listens_for(Session, "after_transaction_end")
def _released(session: Session, transaction) -> None:
    if transaction.parent is None:  # the locks go with the transaction
        session.info.pop(_LOCKED, None)


def enter(subject, actor, name: str, refused) -> None:
    """Lock the dossier of ``subject`` (or ``subject`` itself), then check ``can_<name>(actor)``."""
    dossier = subject if getattr(subject, "lock_self", False) else getattr(subject, "dossier", subject)
    lock(dossier)
    if dossier is not subject:
        db.session.refresh(subject)
    if actor is not None and not getattr(subject, f"can_{name}")(actor):
        raise OperationError(str(refused(subject, actor) if callable(refused) else refused))


def verb(name: str, *, refused) -> Callable[[F], F]:
    """Declare ``fn(subject, actor, …)`` a verb: the door locks and checks ``can_<name>`` before it
    runs; ``refused`` is the reason given when the check says no: a lazy text, or a function of
    ``(subject, actor)`` that tells which of the check's conditions failed."""
    def decorate(fn: F) -> F:
        @wraps(fn)
        def run(subject, actor, *args, **kwargs):
            enter(subject, actor, name, refused)
            return fn(subject, actor, *args, **kwargs)

        VERBS[f"{fn.__module__}.{fn.__name__}"] = name
        run.door_permission = name
        return run  # type: ignore[return-value]
    return decorate
