"""Every API call in the audit trail: ``api.call`` by ``client:<id>`` (``core.audit``), with the
method, path and status; a call with no usable token is ``api.unauthorized``.

A write records its line in its own transaction (``writes.py``); any other call gets its line
after the answer is made, in a short transaction of its own (``record_after``).
"""
from flask import request

from onestop.api.auth import authenticated_client
from onestop.core.audit import record
from onestop.extensions import db

#: kept with the request (its environ), not in ``g``: an application context may outlive a request
_TARGET, _DONE = "onestop.api_audit_target", "onestop.api_audited"


def set_target(target: str) -> None:
    """What the call is about (``dossier:HB-…``), for its audit line."""
    request.environ[_TARGET] = target


def _label() -> str | None:
    client = authenticated_client()
    return None if client is None else f"client:{client.id}"


def record_call(status: int, target: str | None = None, label: str | None = None) -> None:
    if request.environ.get(_DONE):
        return
    request.environ[_DONE] = True
    label = label or _label()
    note = f"{request.method} {request.path} {status}"[:500]
    if label is None:
        record("api.unauthorized", note=note)
    else:
        record("api.call", actor_label=label, target=target or request.environ.get(_TARGET), note=note)


def record_after(response):
    """``after_request`` of the API blueprints."""
    if not request.environ.get(_DONE):
        label = _label()
        try:
            db.session.rollback()  # whatever a refused call left, and SQLite's read lock
            record_call(response.status_code, label=label)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return response
