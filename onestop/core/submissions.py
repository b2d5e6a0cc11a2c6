"""One-time submission keys: a double click, a replayed POST or a retried API call does its work once.

Every form that changes something carries a key made when the form was drawn (``form_guard()`` in
the templates: the CSRF token and the key, ``_once``); an API client sends ``Idempotency-Key``.
``core/submit.py`` claims the key in the same transaction as the verb, by inserting its row:

* the first request inserts it, does the work, records the answer it gave (status, ``Location``,
  body) and commits both together;
* a second request with the key (the double click) inserts nothing: on PostgreSQL its INSERT waits
  for the first transaction and then meets the committed row; on SQLite the write lock taken at
  ``BEGIN`` orders them the same way. It changes nothing and gives the first answer again;
* a refused or failed request rolls back its claim with everything else, so the same key may be
  tried again after the user corrects the form.

A key belongs to whoever first used it (a user, or an anonymous browser session): anyone else
presenting it is refused, so a key seen over a shoulder cannot reveal another's answer. A body
fingerprint is kept too: the same key with a different request is refused (``KeyReused``), as
the API requires. Rows older than ``KEEP`` are deleted by the beat (``purge``).
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import request, session
from sqlalchemy import String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core import clock, deferred
from onestop.core.database import db
from onestop.core.dialect import insert

FIELD = "_once"
HEADER = "Idempotency-Key"
#: where the API's token check leaves the calling client's id for this request
API_CLIENT_ID = "onestop.api_client_id"
KEEP = timedelta(days=2)
_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class Submission(db.Model):
    """A submission key used once, and the answer that was given to it."""

    __tablename__ = "submissions"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: whoever used it first: ``user:<id>``, ``session:<random>`` or ``client:<id>`` (API)
    owner: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the method, path and body of the request that used it
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    status: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))


class KeyReused(Exception):
    """The key was used by someone else, or for another request."""


def new_key() -> str:
    return secrets.token_urlsafe(24)


def presented_key() -> str | None:
    """The key this request carries (form field, else header), when it is a well-formed one."""
    key = request.form.get(FIELD) or request.headers.get(HEADER)
    if not key or len(key) > 100 or not set(key) <= _KEY_CHARS:
        return None
    return key


def owner_of_request() -> str:
    """``client:<id>`` for an API call (the API's token check puts the client's id in the request's
    environ under ``API_CLIENT_ID``), else the logged-in user, else the browser's session."""
    from flask_login import current_user

    client_id = request.environ.get(API_CLIENT_ID)
    if client_id is not None:
        return f"client:{client_id}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    anonymous = session.get("_anon")
    if anonymous is None:
        anonymous = session["_anon"] = secrets.token_hex(8)
    return f"session:{anonymous}"


def fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    for name, value in sorted((k, v) for k, v in request.form.items(multi=True) if k not in (FIELD, "csrf_token")):
        digest.update(f"{name}={value}\n".encode())
    for name, upload in sorted(request.files.items(multi=True)):
        digest.update(f"{name}:{upload.filename}\n".encode())
    if not request.form and not request.files:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def claim_answered(key: str, owner: str, print_: str, response) -> Submission | None:
    """Insert the key's row with the answer given, at the end of the work (one statement in the
    verb's transaction, carrying the verb's deferred writes: ``core/deferred.py``); ``None`` when
    this request is the first, else the row of the first one (on PostgreSQL the INSERT waits for a
    first request still running, then meets its row).
    ``KeyReused`` when it is not ours. The caller rolls its work back when it was not the first."""
    table = Submission.__table__  # the table's own INSERT: no ORM object is wanted back, and it costs less
    inserted = db.session.execute(deferred.carry(insert(table).values(
        key=key, owner=owner, fingerprint=print_, created_at=clock.now(), **_answer(response)
    ).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key))).first()
    return None if inserted is not None else used(key, owner, print_)


def used(key: str, owner: str, print_: str) -> Submission | None:
    """The row of the key's first use, when there was one; ``KeyReused`` when it is not ours."""
    first = db.session.execute(select(Submission).where(Submission.key == key)).scalar_one_or_none()
    if first is not None and (first.owner != owner or first.fingerprint != print_):
        raise KeyReused(key)
    return first


def _answer(response) -> dict:
    body = None
    if not response.is_streamed and response.mimetype == "application/json":
        body = response.get_data(as_text=True)
    return {"status": response.status_code, "location": response.headers.get("Location"),
            "content_type": response.mimetype, "body": body}


def purge(now: datetime) -> int:
    return db.session.execute(delete(Submission).where(Submission.created_at < now - KEEP)).rowcount
