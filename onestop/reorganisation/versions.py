"""Open dossiers that go on under the version in force on the plan's day (``[[versions]]`` of a plan).

A dossier keeps the version it was received under until it ends (``workflows/versions.py``); but
the district-era versions need a district for their next steps, and a two-tier tree has none: on
1 July 2025 the open district dossiers went on under the new competence. A plan says so per
procedure (or ``"*"``: every procedure with a version in force on the day): each open dossier of an
earlier version moves to the version in force on the plan's day, at the step of the same key or
the one ``steps`` maps it to. Its deadlines, clock and history stay; one ``reorganise`` history line
says which version it goes on under. A dossier standing at a step the new version lacks, with no
mapping, refuses the plan.
"""
from collections import Counter

from sqlalchemy import Integer, and_, case, func, literal, select, update

from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.visits import StepVisit
from onestop.extensions import db
from onestop.reorganisation.plan import Plan, PlanError, Reversion
from onestop.workflows.engine import engine
from onestop.workflows.versions import in_force

ACTION = "reorganise"


def _pairs(plan: Plan, rule: Reversion):
    """(code, old version, new version) for the rule's procedures, and the versions they leave."""
    codes = sorted(engine().versions) if rule.procedure == "*" else [rule.procedure]
    for code in codes:
        found = engine().versions[code]
        new = in_force(found, plan.day)
        if new is None:
            if rule.procedure == "*":
                continue
            raise PlanError(f"versions: {code} has no version in force on {plan.day}")
        for old in found:
            if old.version != new.version:
                yield code, old, new


def _renamed(column, steps: dict):
    """SQL: the step key under the new version."""
    renames = [(column == old, new) for old, new in steps.items() if old != new]
    return case(*renames, else_=column) if renames else column


def continue_under_new_versions(plan: Plan, actor, now) -> Counter:
    """Move the open dossiers the plan's ``[[versions]]`` name; (code, old, new version) → count."""
    moved: Counter = Counter()
    note = f"{plan.note} ({plan.day:%d/%m/%Y})".strip()
    for rule in plan.reversions:
        for code, old, new in _pairs(plan, rule):
            here = and_(Dossier.is_open, Dossier.procedure_code == code, Dossier.procedure_version == old.version)
            steps = {**{s.key: s.key for s in old.steps}, **rule.steps}
            keys = {s.key for s in new.steps}
            stuck = db.session.execute(select(Dossier.step, func.count()).where(
                here, Dossier.step.not_in(sorted(k for k, v in steps.items() if v in keys))).group_by(Dossier.step)).all()
            if stuck:
                step, n = stuck[0]
                raise PlanError(f"versions: {n} open dossier(s) of {code} v{old.version} stand at {step!r}, which "
                                f"v{new.version} does not have: map it in steps = {{ {step} = \"…\" }}")
            count = db.session.scalar(select(func.count()).select_from(Dossier).where(here))
            if not count:
                continue
            moved[(code, old.version, new.version)] += count
            target = _renamed(Dossier.step, steps)
            line = f"{note} — tiếp tục giải quyết theo quy trình phiên bản {new.version}".strip(" —")
            db.session.execute(DossierEvent.__table__.insert().from_select(
                ["dossier_id", "at", "action", "actor_id", "from_step", "to_step", "from_agency_id", "to_agency_id",
                 "note"],
                select(Dossier.id, literal(now, type_=DossierEvent.at.type), literal(ACTION),
                       literal(actor.id if actor else None, type_=Integer), Dossier.step, target,
                       Dossier.holder_agency_id, Dossier.holder_agency_id, literal(line)).where(here)))
            visit_step = _renamed(StepVisit.step, steps)
            db.session.execute(update(StepVisit).where(
                StepVisit.left_at.is_(None), StepVisit.dossier_id.in_(select(Dossier.id).where(here)))
                .values(step=visit_step).execution_options(synchronize_session=False))
            db.session.execute(update(Dossier).where(here).values(procedure_version=new.version, step=target)
                               .execution_options(synchronize_session=False))
    return moved
