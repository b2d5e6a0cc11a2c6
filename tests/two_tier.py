"""The two-tier tree (merged Hải Phòng since 1 July 2025) as the only tree of a test's database."""
import tomllib

from sqlalchemy import update

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.demo.seed import TWO_TIER_FILE, seed_demo

ROWS = tomllib.loads(TWO_TIER_FILE.read_text(encoding="utf-8"))["agencies"]
TWO_TIER = {row["code"] for row in ROWS}


def two_tier_alone(db) -> None:
    """Seed it, close every agency of the three-tier demo it does not name, and give the desks of
    those it names (the city's, the departments') as it says (the service centre has them)."""
    seed_demo(TWO_TIER_FILE)
    for row in ROWS:
        db.session.execute(update(Agency).where(Agency.code == row["code"]).values(has_desk=row.get("has_desk", False)))
    systems = {s.code for s in structure().external_systems.values()}
    db.session.execute(update(Agency).where(Agency.code.not_in(TWO_TIER | systems)).values(active=False))
    db.session.expire_all()
