"""Demo data: the agency tree from a data file and, per agency, a clerk, an officer and a supervisor.

Two trees: the three-tier city of the mission (the default) and the merged two-tier Hải Phòng in
force since 1 July 2025 (``seed-demo --tree two-tier``). Seeding the second over the first adds
its new agencies beside the old ones (the agencies both files name are the same agencies); the
reorganisation plan under ``onestop/demo/`` then dissolves the old ones into them.
"""
import tomllib
from pathlib import Path

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from onestop.agencies.models import Agency
from onestop.agencies.operations import create_agency
from onestop.api.systems import sync_external_systems
from onestop.auth.models import Role, User
from onestop.extensions import db

DEMO_FILE = Path(__file__).with_name("demo_haiphong.toml")
TWO_TIER_FILE = Path(__file__).with_name("demo_haiphong_two_tier.toml")
#: the trees ``seed-demo --tree`` loads
TREES = {"three-tier": DEMO_FILE, "two-tier": TWO_TIER_FILE}
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
    #: one hash per password: hashing each demo login apart (scrypt) would take seconds
    hashes: dict[str, str] = {}

    def ensure(username: str, full_name: str, role: Role, agency: Agency, password: str) -> None:
        logins.append((username, password, f"{full_name} — {agency.name}"))
        if username in existing:
            return
        user = User(username=username, full_name=full_name, role=role, agency=agency,
                    email=f"{username}@onestop.example")
        if password not in hashes:
            hashes[password] = generate_password_hash(password)
        user.password_hash = hashes[password]
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
