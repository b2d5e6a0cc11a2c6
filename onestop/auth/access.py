"""Who may reach an endpoint: every view declares it with ``@access(<policy>)``.

The decorator is the declaration and the first check: it asks for a login (all but ``public``) and,
for the policies by role, answers 404 to anyone else — the same answer as an unknown page, so the
address of a page tells nothing. The policies about one object (a dossier, an online application)
are checked by the view's own lookup (``dossiers.scope.get_dossier_or_404``…), which is also a 404
outside scope. ``tests/test_access_matrix.py`` builds the table of every endpoint × every kind of
user × an object in and out of their scope from ``app.url_map``, and fails on an endpoint that
declares no policy.
"""
from collections.abc import Callable
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from onestop.auth.models import Role, User


def _is_clerk(user: User) -> bool:
    return user.role == Role.CLERK and user.agency.has_desk


POLICIES: dict[str, Callable[[User], bool] | None] = {
    #: anyone, no login
    "public": None,
    #: any logged-in staff member
    "staff": lambda user: True,
    #: the clerks of an agency with a reception desk
    "clerk": _is_clerk,
    #: supervisors (over their agency's subtree) and admins
    "supervisor": lambda user: user.role in (Role.SUPERVISOR, Role.ADMIN),
    #: admins only
    "admin": lambda user: user.role == Role.ADMIN,
    #: desk clerks (their desk) and supervisors and admins (their subtree): the tracking ledger
    "ledger": lambda user: _is_clerk(user) or user.role in (Role.SUPERVISOR, Role.ADMIN),
    #: who manages staff: supervisors (the accounts of their subtree, never an admin's: the view's
    #: lookup answers 404 for any other) and admins
    "staff_admin": lambda user: user.role in (Role.SUPERVISOR, Role.ADMIN),
    #: who records absences and stand-ins: officers and supervisors (their own; a supervisor also
    #: their staff's: the view's lookup) and admins
    "absences": lambda user: user.role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN),
    #: another system with an API token of one of the view's scopes (``api/auth.py::require``:
    #: 401 without a token, 403 without the scope; a staff member's session is no token)
    "api_client": None,
    #: staff whose scope holds the dossier named in the address (the view's lookup: 404 outside)
    "dossier": lambda user: True,
    #: the clerks of the desk that received the dossier named in the address (the view's lookup)
    "receiving_desk": _is_clerk,
    #: the clerks of the desk an online application was filed with (the view's lookup: 404 otherwise)
    "desk_application": _is_clerk,
}


def access(policy: str):
    if policy not in POLICIES or policy == "api_client":
        raise ValueError(f"unknown access policy {policy!r} (API views declare theirs with api.auth.require); "
                         f"known: {', '.join(p for p in POLICIES if p != 'api_client')}")
    allowed = POLICIES[policy]

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if allowed is not None:
                if not current_user.is_authenticated:
                    return current_app.login_manager.unauthorized()
                if not current_user.is_active or not allowed(current_user):
                    abort(404)
            return view(*args, **kwargs)

        guarded.access_policy = policy
        return guarded
    return decorate
