"""Reorganisation plans: refused with the place and the reason before anything moves; the command."""
from datetime import date

import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.demo.seed import TWO_TIER_FILE, seed_demo
from onestop.reorganisation.plan import PlanError, parse_plan

DAY = date(2025, 7, 1)


@pytest.fixture
def two_tier(db):
    seed_demo(TWO_TIER_FILE)
    db.session.flush()


@pytest.mark.parametrize(("data", "reason"), [
    ({"date": "2025-07-01", "dissolve": [{"agencies": ["LCAB"], "into": "ANBIEN"}]}, "date"),
    ({"date": DAY}, "dissolves nothing"),
    ({"date": DAY, "dissolve": [{"agencies": ["NOPE"], "into": "ANBIEN"}]}, "no agency with code 'NOPE'"),
    ({"date": DAY, "dissolve": [{"agencies": ["LCAB"], "into": "NOPE"}]}, "dissolve[0].into"),
    ({"date": DAY, "dissolve": [{"agencies": ["LCAB"], "into": "ANBIEN"}, {"agencies": ["LCAB"], "into": "LECHAN"}]},
     "LCAB appears twice"),
    ({"date": DAY, "dissolve": [{"agencies": ["LCAB"], "into": "KATT"}, {"agencies": ["KATT"], "into": "KIENAN"}]},
     "closed or dissolved"),
    ({"date": DAY, "dissolve": [{"agencies": ["LC"], "into": "LECHAN"}]}, "LCAB is open under LC"),
    ({"date": DAY, "dissolve": [{"agencies": ["LCAB"], "into": "LCAB"}]}, "closed or dissolved"),
    ({"date": DAY, "dissolve": [{"agencies": ["LCAB"], "into": "SNNMT"}]}, "has a desk and its successor SNNMT has none"),
    ({"date": DAY, "dissolve": [{"agencies": ["HBMK", "HBQT"], "into": "HONGBANG",
                                 "split": [{"address": "Minh Khai", "into": "HONGBANG"}]}]}, "a split dissolves one"),
    ({"date": DAY, "dissolve": [{"agencies": ["LCAB"], "into": "ANBIEN", "split": [{"address": " ", "into": "ANBIEN"}]}]},
     "non-empty"),
])
def test_a_wrong_plan_is_refused_with_the_reason(db, two_tier, data, reason):
    with pytest.raises(PlanError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_plan(data, "plan.toml")


def test_the_command_prints_the_dry_run_and_keeps_nothing(app, db, two_tier, tmp_path):
    from tests.reorganisation.test_three_to_two_tier import PLAN

    result = app.test_cli_runner().invoke(args=["reorganise", str(PLAN)])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing changed" in result.output and "Staff moved" in result.output
    assert db.session.scalar(select(Agency.active).where(Agency.code == "HB"))
    bad = tmp_path / "plan.toml"
    bad.write_text('date = 2025-07-01\n[[dissolve]]\nagencies = ["LC"]\ninto = "LECHAN"\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["reorganise", str(bad), "--apply"])
    assert result.exit_code != 0 and "plan refused, nothing changed" in result.output and "LCAB" in result.output
