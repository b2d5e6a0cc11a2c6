"""Small factories for tests that build their own world instead of leaning on the demo's names,
and for staff accounts added to the demo tree.

``agency`` and ``user`` make rows with unique codes and logins; ``dossier`` receives one at a desk
and ``advance`` walks it along its procedure to a given step, pressing each action as a user of the
holding agency in the step's role (made on the way if that agency has none). Everything goes
through the real operations, so a dossier made here is one a user could have made.
"""
import itertools
from collections import deque

from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.operations import create_agency
from onestop.auth.models import Role, User
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action, receive_dossier, return_result
from onestop.extensions import db
from onestop.workflows.engine import engine

_numbers = itertools.count(1)
CITIZEN = Applicant(name="Phạm Thị Mai", id_number="031195006789", phone="0934567890", address="3 Trần Phú, Hải Phòng")
NOTE = "Theo quy định."


def agency(*, level: str, parent: Agency | None = None, sectors: str = "", has_desk: bool = False,
           name: str | None = None) -> Agency:
    number = next(_numbers)
    return create_agency(code=f"T{number}", name=name or f"Cơ quan thử {number}", level=level, parent=parent,
                         sectors=sectors, has_desk=has_desk)


def user(where: Agency, role: Role = Role.OFFICER, *, full_name: str | None = None) -> User:
    number = next(_numbers)
    made = User(username=f"test{number}.{role.value}", full_name=full_name or f"Người thử {number}", role=role,
                agency=where, email=f"test{number}@onestop.example")
    made.set_password("test-password-123")
    db.session.add(made)
    db.session.flush()
    return made


def staff(where: Agency, role: Role) -> User:
    """An active user of the agency with the role, made if there is none."""
    found = next((u for u in db.session.query(User).filter_by(agency_id=where.id, role=role, active=True)), None)
    return found or user(where, role)


def dossier(desk: Agency, procedure: str, *, applicant: Applicant = CITIZEN, documents=None) -> Dossier:
    """Received at ``desk`` (its clerk made if needed), with every document of the checklist."""
    keys = documents if documents is not None else [d.key for d in engine().procedure(procedure).documents]
    return receive_dossier(staff(desk, Role.CLERK), procedure_code=procedure, applicant=applicant, documents=keys)


def path_to(procedure_code: str, start: str, target: str) -> list[str]:
    """The actions from step ``start`` to step ``target``, the fewest first found (breadth first)."""
    procedure = engine().procedure(procedure_code)
    seen, queue = {start: []}, deque([start])
    while queue:
        key = queue.popleft()
        if key == target:
            return seen[key]
        for action in procedure.step(key).actions:
            if action.target not in seen:
                seen[action.target] = [*seen[key], action.name]
                queue.append(action.target)
    raise ValueError(f"step {target!r} cannot be reached from {start!r} in {procedure_code}")


def advance(item: Dossier, to_step: str) -> Dossier:
    """Press the actions that take the dossier to ``to_step``, each as a user who may."""
    procedure = engine().procedure(item.procedure_code)
    for name in path_to(item.procedure_code, item.step, to_step):
        step = procedure.step(item.step)
        role = Role(step.action(name).role or step.role)
        actor = staff(item.holder_agency, role)
        if name == "return_result":
            return_result(item, actor, recipient=item.applicant_name)
        else:
            perform_action(item, actor, name, note=NOTE)
    return item


# -- staff accounts added to the demo tree ----------------------------------------------------

GOOD_PASSWORD = "Cây bàng già đầu ngõ 1987"


def agency_named(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def new_user(username: str, *, role: Role = Role.OFFICER, agency_code: str = "HB", password: str = GOOD_PASSWORD,
             full_name: str | None = None, must_change: bool = False) -> User:
    user = User(username=username, full_name=full_name or f"Cán bộ {username}", role=role,
                agency=agency_named(agency_code), email=f"{username}@onestop.example", must_change_password=must_change)
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
