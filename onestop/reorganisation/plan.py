"""A reorganisation plan, from a TOML file, checked against the agency tree.

The format::

    date = 2025-07-01                 # the day the successors take over
    note = "Nghị quyết 1669/NQ-UBTVQH15"

    [[dissolve]]                      # many into one
    agencies = ["STNMT"]
    into = "SNNMT"
    desk = "TTPVHCC"                  # optional: where its desk's dossiers return and its clerks go

    [[dissolve]]                      # one split among several by the applicant's commune
    agencies = ["HB"]
    into = "HONGBANG"                 # staff, desk, code numbers, and dossiers no rule takes
    split = [ { address = "Minh Khai", into = "HONGBANG" }, { address = "Thượng Lý", into = "HONGBANG" } ]

    [[desks]]                         # agencies that stay, whose desk moves to another
    agencies = ["STP", "SXD"]
    into = "TTPVHCC"

    [[versions]]                      # open dossiers of earlier versions go on under the one in force
    procedure = "*"                   # on the date ("*": every procedure; or one code)
    steps = { district_check = "commune_check" }   # optional: a step whose key changed

A dissolved agency's staff go to ``into`` (its clerks to ``desk`` when given), and so do the
dossiers it holds; the dossiers received at its desk return to ``desk`` (default ``into``). A split
rule takes a dossier whose applicant's address contains ``address`` (the first rule that
matches, in order). Every code must name an agency of the tree; successors must be open and not
dissolved by the same plan; an agency is dissolved once; an open agency under a dissolved one
must be dissolved by the plan too. ``[[versions]]`` is carried out by ``versions.py``.
"""
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.extensions import db
from onestop.workflows.engine import engine


class PlanError(ValueError):
    """The plan cannot be applied: says where and why."""


@dataclass(frozen=True)
class Split:
    address: str
    into: Agency


@dataclass
class Dissolution:
    agency: Agency
    into: Agency
    split: tuple[Split, ...] = ()
    #: where the dossiers received at its desk return, and its clerks go (default ``into``)
    desk: Agency | None = None


@dataclass(frozen=True)
class Reversion:
    """Open dossiers of ``procedure`` (``"*"``: all) under an earlier version go on under the
    version in force on the plan's day; ``steps`` maps an old step key to its new one."""
    procedure: str
    steps: dict = field(default_factory=dict)


@dataclass
class Plan:
    day: date
    note: str
    dissolutions: list[Dissolution] = field(default_factory=list)
    #: agency kept, the agency its desk moves to
    desk_moves: list[tuple[Agency, Agency]] = field(default_factory=list)
    reversions: list[Reversion] = field(default_factory=list)

    @property
    def dissolved_ids(self) -> set[int]:
        return {d.agency.id for d in self.dissolutions}

    def targets(self, desk: bool = False) -> list[tuple[Agency, Agency, tuple[Split, ...]]]:
        """(old agency, its default successor, split rules) for every agency whose work moves;
        ``desk``: the successors of their desks."""
        return ([(d.agency, (d.desk or d.into) if desk else d.into, d.split) for d in self.dissolutions]
                + [(a, b, ()) for a, b in self.desk_moves])


def read_plan(path: Path) -> Plan:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PlanError(f"{path.name}: cannot be read: {exc}") from exc
    return parse_plan(data, path.name)


def parse_plan(data: dict, source: str) -> Plan:
    day = data.get("date")
    if not isinstance(day, date) or hasattr(day, "hour"):
        raise PlanError(f"{source}: date: the day the successors take over, written YYYY-MM-DD")
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}

    def agency(code, where: str) -> Agency:
        if not isinstance(code, str) or code not in agencies:
            raise PlanError(f"{source}: {where}: no agency with code {code!r}")
        return agencies[code]

    plan = Plan(day=day, note=str(data.get("note", "")))
    for i, row in enumerate(data.get("dissolve", [])):
        where = f"dissolve[{i}]"
        into = agency(row.get("into"), f"{where}.into")
        split = tuple(Split(address=_text(r.get("address"), f"{source}: {where}.split[{j}].address"),
                            into=agency(r.get("into"), f"{where}.split[{j}].into"))
                      for j, r in enumerate(row.get("split", [])))
        codes = row.get("agencies")
        if not isinstance(codes, list) or not codes:
            raise PlanError(f"{source}: {where}.agencies: a list of the codes of the agencies dissolved")
        if split and len(codes) != 1:
            raise PlanError(f"{source}: {where}.split: a split dissolves one agency")
        for j, code in enumerate(codes):
            desk = agency(row["desk"], f"{where}.desk") if "desk" in row else None
            plan.dissolutions.append(Dissolution(agency(code, f"{where}.agencies[{j}]"), into, split, desk))
    for i, row in enumerate(data.get("desks", [])):
        into = agency(row.get("into"), f"desks[{i}].into")
        for j, code in enumerate(row.get("agencies", [])):
            plan.desk_moves.append((agency(code, f"desks[{i}].agencies[{j}]"), into))
    for i, row in enumerate(data.get("versions", [])):
        plan.reversions.append(_reversion(row, f"{source}: versions[{i}]"))
    _check(plan, source, agencies.values())
    return plan


def _reversion(row, where: str) -> Reversion:
    code = row.get("procedure") if isinstance(row, dict) else None
    if code != "*" and (not isinstance(code, str) or not engine().has(code)):
        raise PlanError(f"{where}.procedure: a procedure code of the catalogue, or \"*\"")
    steps = row.get("steps", {})
    if not isinstance(steps, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in steps.items()):
        raise PlanError(f"{where}.steps: a table of old step key = new step key")
    return Reversion(code, dict(steps))


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlanError(f"{where}: a non-empty text")
    return value.strip()


def _check(plan: Plan, source: str, tree) -> None:
    if not plan.dissolutions and not plan.desk_moves:
        raise PlanError(f"{source}: the plan dissolves nothing and moves no desk")
    seen: set[int] = set()
    for (old, into, split), (_, desk, _) in zip(plan.targets(), plan.targets(desk=True), strict=True):
        if old.id in seen:
            raise PlanError(f"{source}: {old.code} appears twice in the plan")
        seen.add(old.id)
        if old.dissolved_on is not None:
            raise PlanError(f"{source}: {old.code} was already dissolved on {old.dissolved_on}")
        for successor in (into, desk, *(s.into for s in split)):
            if successor.id in plan.dissolved_ids or not successor.active:
                raise PlanError(f"{source}: {old.code} would go to {successor.code}, which is closed or dissolved")
            if successor.id == old.id:
                raise PlanError(f"{source}: {old.code} cannot be its own successor")
        for successor in (desk, *(s.into for s in split)):
            if old.has_desk and not successor.has_desk:
                raise PlanError(f"{source}: {old.code} has a desk and its successor {successor.code} has none")
    dissolved = plan.dissolved_ids
    for agency in tree:
        if agency.active and agency.id not in dissolved and agency.parent_id in dissolved:
            raise PlanError(f"{source}: {agency.code} is open under {agency.parent.code}, which the plan dissolves: "
                            "dissolve it too or move it first")
