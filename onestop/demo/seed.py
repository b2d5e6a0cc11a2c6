"""Demo data: the agency tree from a data file and, per agency, a clerk, an officer and a supervisor."""
import tomllib
from pathlib import Path

from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.operations import create_agency
from onestop.api.systems import sync_external_systems
from onestop.auth.models import Role, User
from onestop.extensions import db

DEMO_FILE = Path(__file__).with_name("demo_haiphong.toml")
DEMO_PASSWORD = "demo1234"
ADMIN_PASSWORD = "admin1234"
_ROLE_TITLES = {Role.CLERK: "Cán bộ một cửa", Role.OFFICER: "Chuyên viên", Role.SUPERVISOR: "Lãnh đạo"}


def seed_demo(path: Path = DEMO_FILE) -> list[tuple[str, str, str]]:
    """Create what is missing (idempotent); returns (username, password, description) of demo logins."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    by_code = {a.code: a for a in db.session.scalars(select(Agency))}
    for row in data["agencies"]:
        if row["code"] in by_code:
            continue
        parent = by_code[row["parent"]] if row.get("parent") else None
        by_code[row["code"]] = create_agency(code=row["code"], name=row["name"], level=row["level"],
                                             parent=parent, sectors=row.get("sectors", ""),
                                             has_desk=row.get("has_desk", False))
    sync_external_systems()  # the other systems holding steps (structure.toml), under the tree just made
    existing = set(db.session.scalars(select(User.username)))
    logins = []

    def ensure(username: str, full_name: str, role: Role, agency: Agency, password: str) -> None:
        logins.append((username, password, f"{full_name} — {agency.name}"))
        if username in existing:
            return
        user = User(username=username, full_name=full_name, role=role, agency=agency,
                    email=f"{username}@onestop.example")
        user.set_password(password)
        db.session.add(user)

    ensure("admin", "Quản trị hệ thống", Role.ADMIN, by_code[data["agencies"][0]["code"]], ADMIN_PASSWORD)
    for row in data["agencies"]:
        agency = by_code[row["code"]]
        for role, title in _ROLE_TITLES.items():
            if role == Role.CLERK and not agency.has_desk:
                continue
            ensure(f"{agency.code.lower()}.{role.value}", f"{title} {agency.name}", role, agency, DEMO_PASSWORD)
    db.session.flush()
    return logins
