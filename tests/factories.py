"""Small factories for staff accounts and agencies (the demo tree is there; these add to it)."""
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.extensions import db

GOOD_PASSWORD = "Cây bàng già đầu ngõ 1987"


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def new_user(username: str, *, role: Role = Role.OFFICER, agency_code: str = "HB", password: str = GOOD_PASSWORD,
             full_name: str | None = None, must_change: bool = False) -> User:
    user = User(username=username, full_name=full_name or f"Cán bộ {username}", role=role,
                agency=agency(agency_code), email=f"{username}@onestop.example", must_change_password=must_change)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def signed_in(app, user: User):
    """A new test client logged in as ``user`` (as ``login_as`` does for the ``client`` fixture)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"], session["_sv"] = str(user.id), True, user.session_version
    return client


def by_username(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))
