"""The other systems that hold steps (``external_systems`` in ``agencies/structure.toml``) as rows:
an agency of the external level per system, and the account the system acts with on its steps.

The account is an active officer of that agency, with no password that can be typed: routing gives
it the dossiers reaching the system's step (it is the agency's only member), the door lets it press
that step's actions when the system posts its outcome through the API, and no one logs in with it.
"""
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.structure import ExternalSystem, structure
from onestop.auth.models import Role, User
from onestop.extensions import db
from onestop.workflows.definition import EXTERNAL_ROLE

_UNUSABLE_PASSWORD = "!"


def account_username(system: ExternalSystem) -> str:
    return f"system.{system.key}"


def sync_external_systems() -> list[str]:
    """Create the rows of the systems that have none (safe to run again); returns what was created.
    A system whose ``parent`` is not in the tree (yet) is filed at the top."""
    known = structure()
    created = []
    by_code = {a.code: a for a in db.session.scalars(select(Agency).where(
        Agency.code.in_([s.code for s in known.external_systems.values()]
                        + [s.parent for s in known.external_systems.values() if s.parent])))}
    usernames = set(db.session.scalars(select(User.username).where(User.username.like("system.%"))))
    for system in known.external_systems.values():
        agency = by_code.get(system.code)
        if agency is None:
            agency = Agency(code=system.code, name=system.name, level=known.external_level,
                            parent=by_code.get(system.parent or ""), sectors="", has_desk=False)
            db.session.add(agency)
            db.session.flush()
            agency.path = (agency.parent.path if agency.parent else "/") + f"{agency.id}/"
            by_code[system.code] = agency
            created.append(f"agency {system.code}")
        if account_username(system) not in usernames:
            db.session.add(User(username=account_username(system), full_name=system.name, role=Role(EXTERNAL_ROLE),
                                agency=agency, active=True, password_hash=_UNUSABLE_PASSWORD))
            created.append(f"account {account_username(system)}")
    db.session.flush()
    return created


def account_of(agency: Agency) -> User | None:
    """The account of the system that agency stands for; None for an ordinary agency."""
    system = structure().external_system_of(agency.code) if agency.level == structure().external_level else None
    if system is None:
        return None
    return db.session.scalar(select(User).where(User.username == account_username(system), User.active))
