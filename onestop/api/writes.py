"""The one way an API call changes something: once per ``Idempotency-Key``, committed once.

``write(do, answer)`` claims the key (``core/submissions.py``, owner ``client:<id>``): a key seen
before with the same body answers the stored answer (status and JSON body) and does nothing; with
another body, or another client's key, it is refused (409). ``do()`` runs the verb (flush only);
an ``OperationError`` rolls everything back, the claim included, and answers 422 with the reason.
``answer(result)`` builds the JSON response, which is kept with the key, audited and committed
together with the work.
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
    """``cleanup`` undoes what the verb did outside the database (stored files) when it fails."""
    key = idempotency_key(key_required)
    if key is not None:
        try:
            first = submissions.claim(key, submissions.owner_of_request(), submissions.fingerprint())
        except submissions.KeyReused:
            db.session.rollback()
            raise Problem(409, "idempotency_key_reused",
                          _("Idempotency-Key này đã được dùng cho một yêu cầu khác.")) from None
        if first is not None:
            db.session.rollback()
            response = replay(first)
            response.headers["Idempotent-Replayed"] = "true"
            return response
    try:
        result = do()
    except OperationError as exc:
        db.session.rollback()
        if cleanup:
            cleanup()
        raise Problem(422, "refused", str(exc)) from None
    except BaseException:
        db.session.rollback()
        if cleanup:
            cleanup()
        raise
    response = answer(result)
    try:
        record_call(response.status_code, target(result) if target else None)
        if key is not None:  # the key's answer carries the audit line (``core/deferred.py``)
            submissions.record(key, response)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if cleanup:
            cleanup()
        raise
    return response
