"""The admin's verbs on API clients: register one, issue a new token, revoke it. Each is audited;
each flushes and never commits. The token itself is returned once, to be shown once."""
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _

from onestop.agencies.models import Agency
from onestop.api.auth import hash_token, new_token
from onestop.api.models import ApiClient, ApiScope
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.audit import record
from onestop.core.errors import OperationError
from onestop.extensions import db

#: a token's life when the admin gives none
DEFAULT_DAYS = 365
_UNUSABLE_PASSWORD = "!"  # not a werkzeug hash: check_password_hash never accepts anything


def _audited(client: ApiClient) -> dict:
    return {"name": client.name, "agency": client.agency.code, "scopes": sorted(client.scopes),
            "expires_at": client.expires_at.isoformat(), "token_hint": client.token_hint,
            "revoked": client.revoked_at is not None}


def register_client(*, name: str, agency: Agency, scopes: list[str], expires_at: datetime | None,
                    admin: User | None) -> tuple[ApiClient, str]:
    """A new client and its first token (the token is returned once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise OperationError(_("Nhập tên hệ thống."))
    unknown = set(scopes) - {s.value for s in ApiScope}
    if unknown or not scopes:
        raise OperationError(_("Chọn ít nhất một quyền hợp lệ."))
    expires_at = expires_at or clock.now() + timedelta(days=DEFAULT_DAYS)
    if expires_at <= clock.now():
        raise OperationError(_("Ngày hết hạn phải ở tương lai."))
    account = User(username=f"api.{secrets.token_hex(6)}", full_name=f"Hệ thống {name}"[:200], role=Role.OFFICER,
                   agency=agency, active=False, password_hash=_UNUSABLE_PASSWORD)
    token = new_token()
    client = ApiClient(name=name, agency=agency, scopes=sorted(set(scopes)), token_hash=hash_token(token),
                       token_hint=token[:12], token_issued_at=clock.now(), expires_at=expires_at,
                       created_by=admin, account=account)
    db.session.add_all([account, client])
    db.session.flush()
    account.username = f"api.client{client.id}"
    record("api.client_create", actor=admin, target=f"api_client:{client.id}", after=_audited(client))
    db.session.flush()
    return client, token


def reissue_token(client: ApiClient, *, expires_at: datetime | None, admin: User | None) -> str:
    """A new token for the client (the old one stops working at once)."""
    if client.revoked_at is not None:
        raise OperationError(_("Hệ thống này đã bị thu hồi quyền truy cập."))
    before = _audited(client)
    expires_at = expires_at or clock.now() + timedelta(days=DEFAULT_DAYS)
    if expires_at <= clock.now():
        raise OperationError(_("Ngày hết hạn phải ở tương lai."))
    token = new_token()
    client.token_hash, client.token_hint = hash_token(token), token[:12]
    client.token_issued_at, client.expires_at = clock.now(), expires_at
    record("api.token_reissue", actor=admin, target=f"api_client:{client.id}", before=before, after=_audited(client))
    db.session.flush()
    return token


def revoke_client(client: ApiClient, *, admin: User | None) -> None:
    if client.revoked_at is not None:
        raise OperationError(_("Hệ thống này đã bị thu hồi quyền truy cập."))
    before = _audited(client)
    client.revoked_at = clock.now()
    record("api.client_revoke", actor=admin, target=f"api_client:{client.id}", before=before, after=_audited(client))
    db.session.flush()
