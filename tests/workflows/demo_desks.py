"""Which demo desk receives a procedure of the catalogue (shared by the workflow tests).

The three-tier demo tree is the shape before 1 July 2025, so ``CATALOGUE`` here is the catalogue
as it was in force then (the district-era versions); ``THREE_TIER_DAY`` is a working day of it.
"""
import tomllib
from datetime import date

from onestop.demo.seed import DEMO_FILE
from onestop.workflows.definition import Procedure, load_versions, parse_holder
from onestop.workflows.versions import in_force

VERSIONS = load_versions()
THREE_TIER_DAY = date(2025, 6, 30)
CATALOGUE = {code: in_force(found, THREE_TIER_DAY) for code, found in VERSIONS.items()}
DEMO = {row["code"]: row for row in tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))["agencies"]}
DESK_BY_LEVEL = {"ward": "HBMK", "district": "HB", "city": "HP"}


def sectors(code: str) -> set[str]:
    return {s for s in DEMO[code].get("sectors", "").split(",") if s}


def receiving_desk_code(procedure: Procedure) -> str:
    """The demo desk a citizen would go to: by level; a department by the sectors its steps name."""
    if procedure.level in DESK_BY_LEVEL:
        return DESK_BY_LEVEL[procedure.level]
    named = {parse_holder(s.holder).value for s in procedure.steps if parse_holder(s.holder).kind == "sector"}
    desks = [code for code, row in DEMO.items() if row["level"] == procedure.level and row.get("has_desk")]
    return ([code for code in desks if named & sectors(code)] or desks)[0]
