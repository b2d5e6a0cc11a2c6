"""The two-tier demo tree (merged Hải Phòng, since 1 July 2025): its data file and its seeding."""
import tomllib

from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.auth.models import User
from onestop.demo.seed import TWO_TIER_FILE, seed_demo

ROWS = tomllib.loads(TWO_TIER_FILE.read_text(encoding="utf-8"))["agencies"]


def test_the_tree_has_no_district_and_a_desk_in_every_commune_level_unit():
    codes = [r["code"] for r in ROWS]
    assert len(codes) == len(set(codes))
    assert {r["level"] for r in ROWS} <= set(structure().levels) - {"district"}
    communes = [r for r in ROWS if r["level"] == "ward"]
    assert len(communes) >= 12 and all(r.get("has_desk") for r in communes)
    names = " ".join(r["name"] for r in communes)
    assert "phường" in names and "xã" in names and "đặc khu Cát Hải" in names
    desks = [r["code"] for r in ROWS if r.get("has_desk") and r["level"] != "ward"]
    assert desks == ["TTPVHCC"], "the service centre is the only desk above the communes"


def test_every_sector_is_known_and_each_guess_is_said():
    for row in ROWS:
        assert set(filter(None, row.get("sectors", "").split(","))) <= structure().sectors, row["code"]
        assert isinstance(row.get("guess", ""), str)
    assert sum("guess" in r for r in ROWS) >= 12


def test_seeding_it_adds_the_new_agencies_and_a_login_per_desk(db):
    logins = seed_demo(TWO_TIER_FILE)
    db.session.flush()
    by_code = {a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_([r["code"] for r in ROWS])))}
    assert set(by_code) == {r["code"] for r in ROWS}
    usernames = {u for u, _, _ in logins}
    assert {"hongbang.clerk", "cathai.clerk", "ttpvhcc.clerk", "snnmt.officer", "stc.supervisor"} <= usernames
    assert "snnmt.clerk" not in usernames, "a department without a desk has no clerk"
    clerk = db.session.scalar(select(User).where(User.username == "hongbang.clerk"))
    assert clerk.check_password("demo1234") and clerk.agency.code == "HONGBANG"
    assert by_code["HONGBANG"].parent.code == "HP"


def test_the_command_takes_the_tree(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--tree", "nowhere"])
    assert result.exit_code != 0 and "two-tier" in result.output, result.output
