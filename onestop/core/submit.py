"""The one way a view runs a verb: once per submission key, committed once.

``submit(do, then=…, otherwise=…)``: run ``do()`` (verbs flush, never commit); build the answer
``then(result)``; claim the request's one-time key with that answer (``submissions.py``: one
INSERT) and commit everything together. When the key was used already (a double click: on
PostgreSQL the claim waits for the first request and then meets its row), roll back everything
and give the first answer again. When a verb refuses (``OperationError``), roll back everything it
wrote; if the key's first request did the work (which is why the second was refused) give that
answer, else ``otherwise(reason)``. A key used by someone else, or for another request, changes
nothing and is refused. The claim comes last so that the whole request writes it in one statement
instead of an INSERT before the work and an UPDATE after it.
"""
from collections.abc import Callable
from typing import TypeVar

from flask import Response, flash, make_response, redirect, render_template, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from onestop.core import submissions
from onestop.core.database import db
from onestop.core.errors import OperationError

T = TypeVar("T")


def submit(do: Callable[[], T], *, then: Callable[[T], ResponseReturnValue],
           otherwise: Callable[[str], ResponseReturnValue],
           cleanup: Callable[[], None] | None = None) -> ResponseReturnValue:
    """``cleanup`` removes what ``do`` wrote outside the database (stored files) when its work is
    rolled back."""
    key = submissions.presented_key()
    owner = print_ = None
    if key is not None:
        owner, print_ = submissions.owner_of_request(), submissions.fingerprint()
    try:
        result = do()
    except OperationError as exc:
        _undo(cleanup)
        if key is not None:  # refused because the key's first request did it already (a double click)?
            try:
                first = submissions.used(key, owner, print_)
            except submissions.KeyReused:
                return otherwise(_reused())
            if first is not None:
                return replay(first)
        return otherwise(str(exc))
    flashes = list(session.get("_flashes", ()))
    response = make_response(then(result))
    if key is not None:
        try:
            first, reused = submissions.claim_answered(key, owner, print_, response), False
        except submissions.KeyReused:
            first, reused = None, True
        if first is not None or reused:
            _undo(cleanup)
            _restore(flashes)  # what ``then`` told of the work undone is not told
            return replay(first) if first is not None else otherwise(_reused())
    db.session.commit()
    return response


def _undo(cleanup: Callable[[], None] | None) -> None:
    db.session.rollback()
    if cleanup:
        cleanup()


def _reused() -> str:
    return _("Biểu mẫu này đã được dùng cho một yêu cầu khác; hãy tải lại trang rồi thử lại.")


def _restore(flashes: list) -> None:
    if flashes:
        session["_flashes"] = flashes
    else:
        session.pop("_flashes", None)


def replay(first: submissions.Submission) -> Response:
    """The answer the key's first request got, without doing its work again."""
    if first.body is not None:
        return Response(first.body, status=first.status, mimetype=first.content_type)
    flash(_("Yêu cầu này đã được thực hiện; không làm lại lần nữa."), "info")
    if first.location:
        return redirect(first.location, 303)
    return make_response(render_template("error.html", status=200, message=_("Yêu cầu này đã được thực hiện.")), 200)
