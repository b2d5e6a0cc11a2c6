"""Other systems calling the API: their clients and tokens, and the dossiers they handed over.

A client belongs to an agency, and every call it makes sees what a supervisor of that agency
would see (the agency and its subtree, ``dossiers/scope.py``). Its token is shown once, when it is
issued; only its SHA-256 is kept (a token is 256 random bits, so a fast hash is as safe as a slow
one and keeps each call's look-up to one indexed read). A client is revoked, never deleted, so the
audit trail and the dossiers it handed over keep pointing to it.
"""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core import clock
from onestop.core.models import TimestampMixin
from onestop.extensions import db


class ApiScope(enum.StrEnum):
    #: the procedure catalogue
    CATALOGUE_READ = "catalogue:read"
    #: file online applications and hand over interconnected dossiers
    APPLICATIONS_WRITE = "applications:write"
    #: a dossier's status, step, due dates and public history; webhooks of its moves
    DOSSIERS_READ = "dossiers:read"
    #: the steps the client's system holds: take the dossier, post the outcome
    STEPS_ACT = "steps:act"


class ApiClient(TimestampMixin, db.Model):
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who calls, e.g. "Cổng dịch vụ công thành phố"
    name: Mapped[str] = mapped_column(String(200))
    #: whose data it sees: this agency and its subtree
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: the ``ApiScope`` values it was granted
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    #: SHA-256 (hex) of the current token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the token's first characters, to tell tokens apart on the admin's page
    token_hint: Mapped[str] = mapped_column(String(16))
    token_issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: the token stops working at this time
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the client's own account (inactive: it never logs in and is never given work): the one
    #: named as receiving the dossiers it hands over, in their history
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    agency: Mapped[Agency] = relationship()
    account: Mapped[User] = relationship(foreign_keys=[account_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def has_scope(self, scope: ApiScope | str) -> bool:
        return str(scope) in (self.scopes or [])

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or clock.now())

    @property
    def state(self) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable() else "expired"

    def __repr__(self) -> str:
        return f"<ApiClient {self.id} {self.name}>"


class Handover(db.Model):
    """An interconnected dossier received from a client (liên thông): the sender's own reference
    is kept, once per sender, so a dossier handed over twice is refused, not counted twice."""

    __tablename__ = "api_handovers"
    __table_args__ = (UniqueConstraint("client_id", "reference", name="uq_api_handovers_client_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"))
    #: the sender's reference of the dossier
    reference: Mapped[str] = mapped_column(String(100))
    #: set in the same transaction as the claim of the reference
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=clock.now)

    client: Mapped[ApiClient] = relationship()
