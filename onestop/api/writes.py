"""The one way an API call changes something: once per ``Idempotency-Key``, committed once.

``write(do, answer)`` runs the verb ``do()`` (flush only) and builds the JSON response
``answer(result)``; then it claims the key with that answer (``core/submissions.py``, owner
``client:<id>``: one INSERT, carrying the audit line) and commits the work, the key and the audit
line together. When the key was used already, everything is rolled back (``cleanup`` removes what
the verb wrote outside the database, such as stored files): the same body gets the first answer
again and nothing twice; another body, or another client's key, is refused (409). On PostgreSQL
the claim of a second request sent while the first still runs waits for it, then meets its row.

A verb that refuses (``OperationError``: 422 with the reason, or a ``Problem`` of its own) is rolled
back too; if the key's first request did the work (which is why the verb refuses now) its answer
is given instead. The claim comes last, as the forms' does (``core/submit.py``), so that a call
writes its key in one statement instead of an INSERT before the work and an UPDATE after it.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import Response, request
from flask_babel import gettext as _

from onestop.api.audit import record_call
from onestop.api.problems import Problem
from onestop.core import submissions
from onestop.core.errors import OperationError
from onestop.core.submit import replay
from onestop.extensions import db

T = TypeVar("T")


def idempotency_key(required: bool = False) -> str | None:
    """The request's ``Idempotency-Key``; a malformed one (or a missing one where required) is a 400."""
    raw = request.headers.get(submissions.HEADER)
    if raw is None:
        if required:
            raise Problem(400, "idempotency_key_required",
                          _("Thao tác này cần tiêu đề Idempotency-Key (1–100 ký tự chữ, số, - _ .)."))
        return None
    key = submissions.presented_key()
    if key is None or key != raw:
        raise Problem(400, "invalid_idempotency_key",
                      _("Idempotency-Key phải gồm 1–100 ký tự chữ không dấu, số, - _ ."))
    return key


def write(do: Callable[[], T], answer: Callable[[T], Response], *, key_required: bool = False,
          target: Callable[[T], str | None] | None = None, cleanup: Callable[[], None] | None = None) -> Response:
    """``cleanup`` undoes what the verb did outside the database (stored files) when it is undone."""
    key = idempotency_key(key_required)
    owner = print_ = None
    if key is not None:
        owner, print_ = submissions.owner_of_request(), submissions.fingerprint()

    def undo() -> None:
        db.session.rollback()
        if cleanup:
            cleanup()

    try:
        result = do()
    except (OperationError, Problem) as exc:
        undo()
        first = _first_use(key, owner, print_) if key is not None else None
        if first is not None:
            return _replayed(first)
        if isinstance(exc, Problem):
            raise
        raise Problem(422, "refused", str(exc)) from None
    except BaseException:
        undo()
        raise
    try:
        response = answer(result)
        record_call(response.status_code, target(result) if target else None)
        first = None
        if key is not None:  # the key's row carries the audit line (``core/deferred.py``)
            first = submissions.claim_answered(key, owner, print_, response)
        if first is None:
            db.session.commit()
    except submissions.KeyReused:
        undo()
        raise _reused() from None
    except BaseException:
        undo()
        raise
    if first is not None:
        undo()
        return _replayed(first)
    return response


def _first_use(key: str, owner: str, print_: str) -> submissions.Submission | None:
    try:
        return submissions.used(key, owner, print_)
    except submissions.KeyReused:
        raise _reused() from None


def _reused() -> Problem:
    return Problem(409, "idempotency_key_reused", _("Idempotency-Key này đã được dùng cho một yêu cầu khác."))


def _replayed(first: submissions.Submission) -> Response:
    response = replay(first)
    response.headers["Idempotent-Replayed"] = "true"
    return response
