"""Who is calling: the bearer token of an API client, its scopes, and what it may see.

``Authorization: Bearer <token>``. The client is looked up once per request (by the token's
hash) and kept with the request (its environ: an application context, and so ``g``, may outlive a
request in tests); the rate limiter keys on it and ``core.submissions`` names it as the owner of an
``Idempotency-Key`` (``client:<id>``).
"""
import hashlib
import secrets
from dataclasses import dataclass
from functools import wraps

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from onestop.agencies.models import Agency
from onestop.api.models import ApiClient, ApiScope
from onestop.api.problems import Problem
from onestop.auth.models import Role
from onestop.core import clock, submissions, versions
from onestop.extensions import db

TOKEN_PREFIX = "ost_"
_UNSET = object()
_CLIENT = "onestop.api_client"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
        return None
    return token.strip()


def authenticated_client() -> ApiClient | None:
    """The usable client whose token the request carries, or None (looked up once per request)."""
    found = request.environ.get(_CLIENT, _UNSET)
    if found is _UNSET:
        token = presented_token()
        found = None
        if token is not None:  # with the caches' stamps (``core/versions.py``): no statement of their own
            row = db.session.execute(select(ApiClient, *versions.stamp_columns())
                                     .where(ApiClient.token_hash == hash_token(token))
                                     .options(joinedload(ApiClient.agency))).first()
            if row is not None:
                versions.remember(row)
                if row.ApiClient.is_usable(clock.now()):
                    found = row.ApiClient
        request.environ[_CLIENT] = found
        if found is not None:
            request.environ[submissions.API_CLIENT_ID] = found.id
    return found


def current_client() -> ApiClient:
    client = authenticated_client()
    if client is None:
        raise Problem(401, headers={"WWW-Authenticate": 'Bearer realm="onestop"'})
    return client


def require(*scopes: ApiScope):
    """The view needs a usable token with one of ``scopes`` (401 without a token, 403 without the scope)."""
    def decorate(view):
        @wraps(view)
        def run(*args, **kwargs):
            client = current_client()
            if scopes and not any(client.has_scope(s) for s in scopes):
                raise Problem(403, "missing_scope", _("Mã truy cập cần một trong các quyền: %(scopes)s.",
                                                      scopes=", ".join(str(s) for s in scopes)))
            return view(*args, **kwargs)

        run.access_policy = "api_client"  # the authorisation matrix's declaration (auth/access.py)
        return run
    return decorate


@dataclass(frozen=True)
class ClientScope:
    """A client seen by ``dossiers.scope.dossier_scope`` and ``auth.scope.scope_agency_ids``: as
    a supervisor of its agency, it sees that agency and every agency under it."""
    agency: Agency
    agency_id: int
    role: Role = Role.SUPERVISOR


def scope_of(client: ApiClient) -> ClientScope:
    return ClientScope(agency=client.agency, agency_id=client.agency_id)


def in_subtree(client: ApiClient, agency: Agency) -> bool:
    return agency.path.startswith(client.agency.path)
