"""Carrying out a reorganisation plan: set-based statements, all in the caller's transaction.

For the agencies the plan dissolves (and the desks it moves), in this order:

1. count what would move, by agency and by state (the dry run prints it);
2. write one history line (``reorganise``) on every open dossier that moves, from the agency that
   held it to the one that holds it now, its step unchanged;
3. move the open dossiers: holder, desk of return (receiving agency; the desk that received it is
   kept in ``original_desk_id`` for receipts and statistics), and drop an assignee who is
   not of the new holder (the new holder's supervisors assign again); pending extension requests
   and unanswered consultations follow, and online applications waiting at a desk that moves;
4. move the staff, the desks and the code numbers of the day and later; the open dossiers the
   plan's ``[[versions]]`` name go on under the version in force on its day (``versions.py``);
5. close the dissolved agencies, marking the day and the successor (never renamed or deleted, so
   history, slips and reports keep each name as it was);
6. put the result to the tree checks (``agencies.operations.tree_check``: no running dossier may be
   left without a possible holder for any step of its version). A refusal raises ``PlanError``;
   the caller rolls back and nothing is changed.

Deadlines, the clock, reminders (keyed to the step visit, which does not change) and the history
already written are left as they are. A dry run does it all in a savepoint and rolls it back.
"""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, exists, false, func, literal, null, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from onestop.agencies.models import Agency
from onestop.agencies.operations import TREE_CHECKS
from onestop.auth.models import Role, User
from onestop.consultations.models import Consultation
from onestop.core import audit, clock
from onestop.dossiers.models import DailySequence, Dossier, DossierEvent
from onestop.dossiers.visits import StepVisit
from onestop.extension_requests.models import DossierExtension, ExtensionStatus
from onestop.extensions import db
from onestop.online.models import ApplicationStatus, OnlineApplication
from onestop.reorganisation.plan import Plan, PlanError
from onestop.reorganisation.versions import continue_under_new_versions
from onestop.workflows.engine import engine
from onestop.workflows.holder_rules import parse_holder

ACTION = "reorganise"


@dataclass
class Outcome:
    #: (old agency code, new agency code, status) → open dossiers moved as holder
    held: Counter = field(default_factory=Counter)
    #: (old agency code, new agency code) → open dossiers whose desk of return moved
    desks: Counter = field(default_factory=Counter)
    #: old agency code → staff moved
    staff: Counter = field(default_factory=Counter)
    dossiers: int = 0
    #: online applications waiting at a desk that moves
    online: int = 0
    #: (procedure code, old version, new version) → open dossiers going on under the new version
    versions: Counter = field(default_factory=Counter)
    applied: bool = False


def successor_of(plan: Plan, column, desk: bool = False, units_only: bool = False):
    """SQL: the agency a dossier's ``column`` (an agency id) goes to, or the column itself;
    ``desk``: the successor of a desk (the desk of return); ``units_only``: only the dissolved
    agencies go to a successor (a desk that moves leaves its agency where it was)."""
    whens = []
    targets = [(d.agency, d.into, d.split) for d in plan.dissolutions] if units_only else plan.targets(desk)
    for old, into, split in targets:
        for rule in split:
            whens.append((and_(column == old.id, Dossier.applicant_address.contains(rule.address, autoescape=True)),
                          rule.into.id))
        whens.append((column == old.id, into.id))
    return case(*whens, else_=column) if whens else column


def run(plan: Plan, actor=None, *, apply: bool) -> Outcome:
    """Dry run (``apply=False``: everything done in a savepoint, then rolled back) or apply."""
    savepoint = db.session.begin_nested()
    try:
        outcome = _move(plan, actor)
    except Exception:
        savepoint.rollback()
        raise
    if apply:
        savepoint.commit()
        outcome.applied = True
    else:
        savepoint.rollback()
    db.session.expire_all()
    return outcome


def _move(plan: Plan, actor) -> Outcome:
    moved_ids = [a.id for a, _, _ in plan.targets()]
    dissolved = plan.dissolved_ids
    names = {a.id: a.code for a in db.session.scalars(select(Agency))}
    outcome = Outcome()
    new_desk = successor_of(plan, Dossier.receiving_agency_id, desk=True)
    desk_moves = Dossier.receiving_agency_id.in_(moved_ids)
    # a dossier at a step held by its desk follows the desk; at any other step, its holder's successor
    at_desk = and_(_at_desk_step(), desk_moves)
    new_holder = case((at_desk, new_desk), else_=successor_of(plan, Dossier.holder_agency_id, units_only=True))
    holder_moves = Dossier.holder_agency_id.in_(dissolved) | at_desk
    for old, new, status, n in db.session.execute(
            select(Dossier.holder_agency_id, new_holder, Dossier.status, func.count())
            .where(Dossier.is_open, holder_moves).group_by(Dossier.holder_agency_id, new_holder, Dossier.status)):
        outcome.held[(names[old], names[new], str(status))] += n
    for old, new, n in db.session.execute(
            select(Dossier.receiving_agency_id, new_desk, func.count())
            .where(Dossier.is_open, desk_moves).group_by(Dossier.receiving_agency_id, new_desk)):
        outcome.desks[(names[old], names[new])] += n
    for agency_id, n in db.session.execute(select(User.agency_id, func.count()).where(User.agency_id.in_(dissolved))
                                           .group_by(User.agency_id)):
        outcome.staff[names[agency_id]] += n

    competent_moves = Dossier.competent_agency_id.in_(dissolved)
    moving = and_(Dossier.is_open, holder_moves | desk_moves | competent_moves)
    # the rows the plan moves are locked (PostgreSQL) so that no verb moves one at the same time
    db.session.execute(select(Dossier.id).where(moving).with_for_update())
    note = f"{plan.note} ({plan.day:%d/%m/%Y})".strip()
    events = select(Dossier.id, literal(clock.now(), type_=DossierEvent.at.type), literal(ACTION),
                    literal(actor.id if actor else None, type_=Integer),
                    Dossier.step, Dossier.step, Dossier.holder_agency_id, new_holder, literal(note)).where(moving)
    # counted apart: the row count of an INSERT … SELECT is not reported by every driver
    outcome.dossiers = db.session.scalar(select(func.count()).select_from(Dossier).where(moving))
    db.session.execute(DossierEvent.__table__.insert().from_select(
        ["dossier_id", "at", "action", "actor_id", "from_step", "to_step", "from_agency_id", "to_agency_id", "note"],
        events))
    # the right-hand sides read the row as it was: the desk that received it is kept once it moves
    first_desk = case((new_desk != Dossier.receiving_agency_id, Dossier.received_desk_id), else_=Dossier.original_desk_id)
    db.session.execute(update(Dossier).where(moving).values(
        holder_agency_id=new_holder, receiving_agency_id=new_desk, original_desk_id=first_desk,
        competent_agency_id=_competent_after(plan, new_desk, desk_moves))
        .execution_options(synchronize_session=False))
    for (old, into, _), (_, desk, _) in zip(plan.targets(), plan.targets(desk=True), strict=True):
        clerks = and_(User.agency_id == old.id, User.role == Role.CLERK)
        db.session.execute(update(User).where(clerks).values(agency_id=desk.id).execution_options(
            synchronize_session=False))
        if old.id in dissolved:  # a desk moved, the agency stays: only its desk staff go
            db.session.execute(update(User).where(User.agency_id == old.id).values(agency_id=into.id)
                               .execution_options(synchronize_session=False))
    outcome.versions = continue_under_new_versions(plan, actor, clock.now())
    _move_requests(plan)
    outcome.online = _move_online_applications(plan)
    stranger = exists().where(User.id == Dossier.assignee_id, User.agency_id != Dossier.holder_agency_id)
    db.session.execute(update(Dossier).where(Dossier.is_open, Dossier.assignee_id.is_not(None), stranger)
                       .values(assignee_id=None).execution_options(synchronize_session=False))
    _follow_on_visits()
    _move_sequences(plan)
    for (old, into, split), (_, desk, _) in zip(plan.targets(), plan.targets(desk=True), strict=True):
        successors = [desk.id, *(s.into.id for s in split)]
        if old.has_desk:
            db.session.execute(update(Agency).where(Agency.id.in_(successors)).values(has_desk=True))
        values = {"has_desk": False}
        if old.id in dissolved:
            values |= {"active": False, "dissolved_on": plan.day, "successor_id": into.id}
        db.session.execute(update(Agency).where(Agency.id == old.id).values(**values))
    db.session.flush()
    db.session.expire_all()
    for check in TREE_CHECKS:
        reason = check()
        if reason:
            raise PlanError(str(reason))
    audit.record("agency.reorganise", actor=actor, target=f"plan:{plan.day.isoformat()}",
                 after={"note": plan.note, "dossiers": outcome.dossiers,
                        "dissolved": sorted(names[i] for i in dissolved),
                        "desks": sorted(names[a.id] for a, _ in plan.desk_moves)})
    return outcome


def _competent_after(plan: Plan, new_desk, desk_moves):
    """SQL: the competent unit once the plan is applied. A dossier with none named is decided by the
    unit of the desk that received it; when that desk moves to another agency's, the unit (or its
    successor) is named, so that its ``competent`` steps do not follow the desk."""
    unit = successor_of(plan, Dossier.receiving_agency_id, units_only=True)
    return case((Dossier.competent_agency_id.is_not(None), successor_of(plan, Dossier.competent_agency_id,
                                                                        units_only=True)),
                (and_(desk_moves, unit != new_desk), unit), else_=null())


def _follow_on_visits() -> None:
    """The open step visits follow their dossiers (the inbox reads who holds and who works on a
    dossier from them); the stay goes on, its entry, due time and reminders as they were."""
    holder = select(Dossier.holder_agency_id).where(Dossier.id == StepVisit.dossier_id).scalar_subquery()
    assignee = select(Dossier.assignee_id).where(Dossier.id == StepVisit.dossier_id).scalar_subquery()
    db.session.execute(update(StepVisit).where(StepVisit.left_at.is_(None),
                                               (StepVisit.agency_id != holder) | StepVisit.assignee_id.is_distinct_from(assignee))
                       .values(agency_id=holder, assignee_id=assignee).execution_options(synchronize_session=False))


def _move_requests(plan: Plan) -> None:
    """Pending extension requests go to the dossier's new holder (its supervisors decide them);
    unanswered consultations are asked by the dossier's new holder, of the asked agency's successor."""
    dissolved = plan.dissolved_ids
    holder = select(Dossier.holder_agency_id).where(Dossier.id == DossierExtension.dossier_id).scalar_subquery()
    db.session.execute(update(DossierExtension).where(
        DossierExtension.status == ExtensionStatus.REQUESTED, DossierExtension.agency_id.in_(dissolved))
        .values(agency_id=holder).execution_options(synchronize_session=False))
    asking = select(Dossier.holder_agency_id).where(Dossier.id == Consultation.dossier_id).scalar_subquery()
    open_ = Consultation.answered_at.is_(None)
    db.session.execute(update(Consultation).where(open_, Consultation.from_agency_id.in_(dissolved))
                       .values(from_agency_id=asking).execution_options(synchronize_session=False))
    if not plan.dissolutions:  # a plan that only moves desks leaves every asked agency open
        return
    asked = case(*[(Consultation.to_agency_id == d.agency.id, d.into.id) for d in plan.dissolutions],
                 else_=Consultation.to_agency_id)
    db.session.execute(update(Consultation).where(open_, Consultation.to_agency_id.in_(dissolved))
                       .values(to_agency_id=asked).execution_options(synchronize_session=False))


def _move_online_applications(plan: Plan) -> int:
    """Applications filed online and not yet received wait at the successor of their desk."""
    targets = plan.targets(desk=True)
    desk = case(*[(OnlineApplication.desk_agency_id == old.id, into.id) for old, into, _ in targets],
                else_=OnlineApplication.desk_agency_id)
    waiting = and_(OnlineApplication.status == ApplicationStatus.SUBMITTED,
                   OnlineApplication.desk_agency_id.in_([old.id for old, _, _ in targets]))
    count = db.session.scalar(select(func.count()).select_from(OnlineApplication).where(waiting))
    db.session.execute(update(OnlineApplication).where(waiting).values(desk_agency_id=desk)
                       .execution_options(synchronize_session=False))
    return count


def _at_desk_step():
    """SQL: the dossier stands at a step its receiving desk holds (holder rule ``desk``), in any version."""
    keys = sorted({(p.code, p.version, s.key) for p in engine().all_versions() for s in p.steps
                   if parse_holder(s.holder).kind == "desk"})
    return tuple_(Dossier.procedure_code, Dossier.procedure_version, Dossier.step).in_(keys) if keys else false()


def _move_sequences(plan: Plan) -> None:
    """The code numbers of the day and later go to the successor (the higher number is kept), so a
    successor taking over on the day goes on from where its predecessor stood."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for old, into, _ in plan.targets():
        rows = select(literal(into.id), DailySequence.day, DailySequence.last_value).where(
            DailySequence.agency_id == old.id, DailySequence.day >= plan.day)
        stmt = insert(DailySequence).from_select(["agency_id", "day", "last_value"], rows)
        stmt = stmt.on_conflict_do_update(index_elements=[DailySequence.agency_id, DailySequence.day],
                                          set_={"last_value": case(
                                              (DailySequence.last_value > stmt.excluded.last_value,
                                               DailySequence.last_value), else_=stmt.excluded.last_value)})
        db.session.execute(stmt)

