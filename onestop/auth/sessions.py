"""Sessions that the server can end.

The session cookie is signed, not stored: by itself it stays valid until it expires, even after
logout. So each session keeps the account's ``session_version`` from the moment it was made, and
the user loader accepts it only while the account still has that number. Logging out, changing
the password and deactivating the account bump the number: every session of the account, on every
machine, a copied cookie included, stops working at its next request.

Idle time-out: sessions are permanent with ``PERMANENT_SESSION_LIFETIME`` set to the idle limit
(``ONESTOP_SESSION_IDLE_MINUTES``); Flask re-signs the cookie on each request and refuses, on the
server, a cookie signed longer ago than that.
"""
from flask import session
from flask_login import login_user

from onestop.auth.models import User

VERSION_KEY = "_sv"


def start(user: User) -> None:
    """Log ``user`` in on this browser, bound to the account's current session number."""
    login_user(user)
    session.permanent = True
    session[VERSION_KEY] = user.session_version


def is_valid(user: User) -> bool:
    """Whether this request's session was made for the account as it is now. A session without a
    number (made before numbers were kept) counts as number 0: it works until the account's first
    logout, password change or deactivation, like any other session of that time."""
    return user.active and session.get(VERSION_KEY, 0) == user.session_version


def end_everywhere(user: User) -> None:
    """Every session of ``user`` stops working (flushed with the caller's work)."""
    user.session_version = (user.session_version or 0) + 1


def keep_this_one(user: User) -> None:
    """After ``end_everywhere`` for the user's own change (a new password): this session goes on."""
    session[VERSION_KEY] = user.session_version
