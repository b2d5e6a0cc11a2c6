"""The audit trail: who did what, when, from where, outside a dossier's own history.

Logins (and failed ones), every administrative change (users, agencies, calendar overrides,
reminder rules, stand-ins) with the state before and after, file downloads, look-ups of a
citizen's details and calls of other systems are written here by ``record``, in the caller's
transaction (an audited change and its line commit or roll back together). Rows are never
updated or deleted by the application, nor read back by the request that writes them: on
PostgreSQL a line waits for the request's next statement and goes with it (``core/deferred.py``).
"""
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from onestop.core import clock, deferred
from onestop.core.database import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_actor_at", "actor_id", "at"),
        Index("ix_audit_entries_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    #: the staff member who acted; None for the system, an API client or an unknown login name
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: another actor than a user: ``client:<id>`` (API), ``login:<name>`` (a failed login), ``system``
    actor_label: Mapped[str | None] = mapped_column(String(120))
    #: what happened, dotted: ``auth.login``, ``auth.login_failed``, ``user.update``, ``calendar.override_add``…
    kind: Mapped[str] = mapped_column(String(60))
    #: what it was done to: ``user:12``, ``agency:3``, ``dossier:HB-261201-0001``, ``attachment:7``…
    target: Mapped[str | None] = mapped_column(String(120))
    #: the client's address, as the proxy configuration reports it
    address: Mapped[str | None] = mapped_column(String(64))
    #: the audited fields before and after the change (None where there was no such state)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


def record(kind: str, *, actor=None, actor_label: str | None = None, target: str | None = None,
           before: dict | None = None, after: dict | None = None, note: str | None = None) -> None:
    """Write one line of the trail in the caller's transaction.

    ``actor``: the user who acted; by default the logged-in user of the request, if any."""
    if actor is None and has_request_context():
        from flask_login import current_user

        actor = current_user if current_user.is_authenticated else None
    line = {"at": clock.now(), "actor_id": getattr(actor, "id", None), "actor_label": actor_label, "kind": kind,
            "target": target, "before": before, "after": after, "note": note,
            "address": request.remote_addr if has_request_context() else None}
    if deferred.available():
        table = AuditEntry.__table__
        deferred.defer(table.insert().values(deferred.values(table, line, defaults=True)).cte(deferred.name()))
    else:
        db.session.add(AuditEntry(**line))
