"""The one way a view runs a verb: once per submission key, committed once.

``submit(do, then=…, otherwise=…)``: claim the request's one-time key (``submissions.py``); run
``do()`` (verbs flush, never commit); build the answer ``then(result)``, record it against the
key and commit everything together. When a verb refuses (``OperationError``), roll back
everything it wrote, the claim included, and answer ``otherwise(reason)``. A request whose key
was already used gets the first answer again and changes nothing.
"""
from collections.abc import Callable
from typing import TypeVar

from flask import Response, flash, make_response, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from onestop.core import submissions
from onestop.core.database import db
from onestop.core.errors import OperationError

T = TypeVar("T")


def submit(do: Callable[[], T], *, then: Callable[[T], ResponseReturnValue],
           otherwise: Callable[[str], ResponseReturnValue]) -> ResponseReturnValue:
    key = submissions.presented_key()
    if key is not None:
        try:
            first = submissions.claim(key, submissions.owner_of_request(), submissions.fingerprint())
        except submissions.KeyReused:
            db.session.rollback()
            return otherwise(_("Biểu mẫu này đã được dùng cho một yêu cầu khác; hãy tải lại trang rồi thử lại."))
        if first is not None:
            db.session.rollback()
            return replay(first)
    try:
        result = do()
    except OperationError as exc:
        db.session.rollback()
        return otherwise(str(exc))
    response = make_response(then(result))
    if key is not None:
        submissions.record(key, response)
    db.session.commit()
    return response


def replay(first: submissions.Submission) -> Response:
    """The answer the key's first request got, without doing its work again."""
    if first.body is not None:
        return Response(first.body, status=first.status, mimetype=first.content_type)
    flash(_("Yêu cầu này đã được thực hiện; không làm lại lần nữa."), "info")
    if first.location:
        return redirect(first.location, 303)
    return make_response(render_template("error.html", status=200, message=_("Yêu cầu này đã được thực hiện.")), 200)
