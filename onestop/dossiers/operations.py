"""The dossier's own verbs: receive it, press a step's action, hand the result back, assign it.

Each verb goes through the door (``door.py``: the row's lock, then ``can_<verb>``), moves the
dossier, writes a ``DossierEvent``, recomputes the due times and enqueues the worker's follow-up,
all in the caller's transaction: verbs ``flush()``, never ``commit()``. A refused verb raises
``OperationError`` before anything is written. The verbs of the features that hang off a dossier
(consultations, extension requests, attachments, online applications) live in their packages and
go through the same door; they write their history lines with ``log``.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from onestop.agencies.models import Agency
from onestop.auth.absences import is_absent
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.core.workdays import current_calendar
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.codes import code_columns
from onestop.dossiers.details import details_search_text
from onestop.dossiers.door import verb
from onestop.dossiers.models import Channel, Delivery, Dossier, DossierEvent, Status
from onestop.dossiers.notices import notify
from onestop.dossiers.signals import event_written, moved, moving, received
from onestop.dossiers.standins import acting_for, roles_of
from onestop.dossiers.visits import record as record_visit
from onestop.extensions import db
from onestop.workflows.boundary import across_boundary_problem
from onestop.workflows.definition import SYSTEM_ACTIONS, Step
from onestop.workflows.engine import ActionRefused, engine, intake_problems
from onestop.workflows.holders import AgencyTree, HolderNotFound

#: written as the partial indexes' predicate, so that SQLite's planner (which cannot match a bound
#: parameter against it) uses them as PostgreSQL's does
_OPEN = text("dossiers.status IN ('processing','supplement')")
_OUTCOME_STATUS = {"done": Status.DONE, "refused": Status.REFUSED, "withdrawn": Status.WITHDRAWN}


def can_receive(user: User) -> bool:
    """Log dossiers: the clerks of an agency that runs a reception desk."""
    return user.active and user.role == Role.CLERK and user.agency.has_desk


def receive_dossier(actor: User, *, procedure_code: str, applicant: Applicant, documents: list[str],
                    delivery_method: Delivery = Delivery.DESK, note: str | None = None,
                    channel: Channel = Channel.DESK, desk: Agency | None = None, details: dict | None = None,
                    intake_waybill: str | None = None, posted_on=None, competent: Agency | None = None) -> Dossier:
    """Log a dossier received by the actor's desk (handed in there, filed online with it, or sent
    by public post with ``intake_waybill`` and the day the post office took it, ``posted_on``);
    it starts at the procedure's first step. ``details``: the procedure's own data, already
    parsed by its declared fields. A new row: there is nothing to lock yet.

    ``desk``: the desk that receives it when the actor is not one of its clerks but another
    agency's system handing it over (liên thông, ``channel`` interconnection; ``actor`` is that
    system's account): nobody is assigned, the desk's clerks find it in their queue.

    ``competent``: the unit that decides it when that is not the desk's own (reception regardless
    of administrative boundary, ``competent_units``); its steps resolve from that unit."""
    handed_over = desk is not None
    if not handed_over:
        if not can_receive(actor):
            raise OperationError(_("Chỉ cán bộ bộ phận một cửa được tiếp nhận hồ sơ."))
        desk = actor.agency
    elif not desk.has_desk:
        raise OperationError(_("%(agency)s không có bộ phận một cửa.", agency=desk.name))
    if not engine().has(procedure_code):
        raise OperationError(_("Không có thủ tục mã %(code)s.", code=procedure_code))
    problem = intake_problems(desk).get(procedure_code)
    if problem:
        raise OperationError(_("%(agency)s không tiếp nhận được thủ tục %(code)s: %(problem)s khi hồ sơ nộp tại đây.",
                               agency=desk.name, code=procedure_code, problem=problem))
    procedure = engine().receivable(procedure_code)
    if competent is not None and competent.id != desk.id:
        problem = across_boundary_problem(desk, competent, procedure_code)
        if problem:
            raise OperationError(problem)
    else:
        competent = None
    problem = procedure.checklist_problem(documents, require=False)
    if problem:
        raise OperationError(problem)
    if applicant.submitter is not None and not procedure.takes_submitters:
        raise OperationError(_("Thủ tục này không nhận hồ sơ nộp thay: người yêu cầu phải tự nộp."))
    unknown = set(details or {}) - {f.key for f in procedure.fields}
    if unknown:
        raise OperationError(_("Thông tin không thuộc thủ tục: %(keys)s.", keys=", ".join(sorted(unknown))))
    try:
        delivery_method, channel = Delivery(delivery_method), Channel(channel)
    except ValueError:
        raise OperationError(_("Hình thức trả kết quả không hợp lệ.")) from None
    if (channel == Channel.POST) != bool(intake_waybill and posted_on):
        raise OperationError(_("Hồ sơ nhận qua bưu chính cần số vận đơn và ngày bưu điện nhận gửi."))
    now = clock.now()
    start = procedure.start
    holder = _holder(start, desk.id, competent.id if competent else None)
    cal = current_calendar()
    counted_from = cal.start_of_count(now, procedure.cutoff)  # after the cut-off: the next working day
    dossier = Dossier(
        **code_columns(desk, now), procedure_code=procedure_code, procedure_version=procedure.version, step=start.key,
        status=Status.PROCESSING, receiving_agency=desk, competent_agency=competent, holder_agency=holder,
        assignee=actor if holder.id == actor.agency_id and not handed_over else None, received_by=actor,
        **applicant.columns(), documents=sorted(set(documents)),
        delivery_method=delivery_method, channel=channel, note=note or None, received_at=now,
        details=dict(details or {}), details_text=details_search_text(procedure, details),
        intake_waybill=intake_waybill or None, posted_on=posted_on,
        due_at=cal.add_working_hours(counted_from, procedure.budget_hours),
        step_started_at=now, step_due_at=cal.add_working_hours(counted_from, start.hours),
    )
    db.session.add(dossier)
    db.session.flush()
    log(dossier, actor, "receive", None, None, holder, note)
    db.session.flush()
    received.send(dossier, actor=actor)
    return dossier


def can_work_on_step(dossier: Dossier, user: User) -> bool:
    """Whether the user's role has actions at the dossier's step (who may be given it)."""
    procedure = engine().of(dossier)
    return bool(engine().actions_for_role(procedure, dossier.step, user.role.value))


def available_actions(dossier: Dossier, user: User):
    """The actions the user may press now (guards are checked when pressed); a stand-in also those of
    the absent assignee's role (``standins.py``)."""
    if not dossier.can_act(user):
        return []
    procedure = engine().of(dossier)
    actions = {}
    for role in sorted(roles_of(dossier, user)):
        for action in engine().actions_for_role(procedure, dossier.step, role):
            actions.setdefault(action.name, action)
    return list(actions.values())


@verb("act", refused=_l("Bạn không thể thực hiện thao tác này với hồ sơ ở bước hiện tại."))
def perform_action(dossier: Dossier, actor: User, action: str, note: str | None = None,
                   documents: list[str] | None = None) -> DossierEvent:
    """Fire ``action`` on the dossier as ``actor``; ``actor`` None is the system, which fires only
    the system's own actions (``stop``, by the deadline sweep).

    ``documents`` (desk only) replaces the checklist, e.g. when a supplement is brought in.
    """
    note = (note or "").strip() or None
    if action == "return_result" and not (dossier.result_recipient or dossier.post_waybill):
        raise OperationError(_("Ghi người nhận kết quả hoặc số vận đơn bưu chính trước khi trả kết quả."))
    if actor is not None:
        allowed = {a.name for a in available_actions(dossier, actor)}
    else:  # the system: only its own actions, on an open dossier
        step = engine().of(dossier).step(dossier.step)
        allowed = {a.name for a in step.actions if a.name in SYSTEM_ACTIONS} if dossier.is_open else set()
    if action not in allowed:
        raise OperationError(_("Bạn không thể thực hiện thao tác này với hồ sơ ở bước hiện tại."))
    procedure = engine().of(dossier)
    behalf = acting_for(dossier, actor)
    previous_documents = list(dossier.documents or [])
    if documents is not None:
        if actor is None or actor.role != Role.CLERK:
            raise OperationError(_("Chỉ bộ phận một cửa cập nhật giấy tờ của hồ sơ."))
        problem = procedure.checklist_problem(documents, require=False)
        if problem:
            raise OperationError(problem)
        dossier.documents = sorted(set(documents))
    from_agency = dossier.holder_agency
    target_key = procedure.step(dossier.step).action(action).target
    holder = _holder(procedure.step(target_key), dossier.receiving_agency_id, dossier.competent_agency_id)
    try:
        moving.send(dossier, actor=actor, action=action, source=procedure.step(dossier.step),
                    target=procedure.step(target_key))
        source, target = engine().fire(dossier, action, note)
    except ActionRefused as exc:
        dossier.documents = previous_documents
        raise OperationError(str(exc)) from exc
    except OperationError:
        dossier.documents = previous_documents
        raise
    with db.session.no_autoflush:  # the move is one UPDATE of the row, written by the flush below
        _move(dossier, source, target, holder, actor)
        event = log(dossier, actor, action, source.key, from_agency, holder, note, on_behalf_of=behalf)
    db.session.flush()
    moved.send(dossier, actor=actor, action=action, source=source, target=target, event=event)
    return event


def return_result(dossier: Dossier, actor: User, *, recipient: str | None = None, waybill: str | None = None,
                  note: str | None = None) -> DossierEvent:
    """Hand the result back: at the desk to a named person, or by public post with its waybill,
    as the citizen chose at intake (the "return_result" action, through the door)."""
    recipient, waybill = (recipient or "").strip(), (waybill or "").strip()
    by_post = dossier.delivery_method == Delivery.POST
    if by_post and not waybill:
        raise OperationError(_("Nhập số vận đơn bưu chính."))
    if not by_post and not recipient:
        raise OperationError(_("Nhập họ tên người nhận kết quả."))
    previous = dossier.post_waybill, dossier.result_recipient
    if by_post:
        dossier.post_waybill = waybill
    else:
        dossier.result_recipient = recipient
    try:
        return perform_action(dossier, actor, "return_result", note=note or (
            f"Gửi qua bưu chính, vận đơn {waybill}" if waybill else f"Người nhận: {recipient}"))
    except OperationError:
        dossier.post_waybill, dossier.result_recipient = previous  # a refusal leaves the dossier as it was
        raise


def _holder(step: Step, receiving_id: int, competent_id: int | None = None) -> Agency:
    """The agency that holds ``step`` of a dossier received at ``receiving_id`` (for the unit
    ``competent_id``, default the desk's own), resolved on the agency tree kept in memory
    (``AgencyTree.current``); its row comes from the session when loaded."""
    tree = AgencyTree.current()
    try:
        node = tree.resolve(step.holder, tree.nodes[receiving_id],
                            tree.nodes[competent_id] if competent_id is not None else None)
    except HolderNotFound as exc:
        raise OperationError(str(exc)) from exc
    return db.session.get(Agency, node.id)


def _move(dossier: Dossier, source: Step, target: Step, holder: Agency, actor: User) -> None:
    """Set holder, assignee, status and due times for the step just entered."""
    now = clock.now()
    cal = current_calendar()
    if source.kind == "supplement" and dossier.paused_at is not None:
        paused = cal.working_hours_between(dossier.paused_at, now)
        if paused > 0:  # a pause within closed hours used no working time: the appointment stays
            dossier.paused_hours += paused
            dossier.due_at = cal.add_working_hours(dossier.due_at, paused)
            if dossier.original_due_at is not None:  # the appointment as it would be without extensions
                dossier.original_due_at = cal.add_working_hours(dossier.original_due_at, paused)
        dossier.paused_at = None
    dossier.holder_agency = holder
    dossier.step_seq += 1
    dossier.step_started_at = now
    if target.is_final:
        dossier.status = _OUTCOME_STATUS[target.outcome]
        dossier.finished_at = now
        dossier.step_due_at = None
        dossier.assignee = None
        return
    if target.kind == "supplement":
        dossier.status = Status.SUPPLEMENT
        dossier.paused_at = now
        dossier.step_due_at = None
    else:
        dossier.status = Status.PROCESSING
        dossier.step_due_at = cal.add_working_hours(now, target.hours)
    if actor is not None and holder.id == actor.agency_id and target.role == actor.role.value:
        dossier.assignee = actor
    else:
        dossier.assignee = None
        enqueue(Task.ROUTE_DOSSIER, dossier_id=dossier.id, step_seq=dossier.step_seq)


def log(dossier: Dossier, actor: User | None, action: str, from_step: str | None,
        from_agency: Agency | None, to_agency: Agency, note: str | None, *,
        on_behalf_of: User | None = None) -> DossierEvent:
    """Write one line of the dossier's history (added to the session, flushed by the verb) and
    announce it (``signals.event_written``);
    ``on_behalf_of``: the absent colleague the actor stood in for (by default found from the
    dossier's assignee as it is now; a verb that moved the dossier passes what it was before)."""
    if on_behalf_of is None and from_step == dossier.step:
        on_behalf_of = acting_for(dossier, actor)
    event = DossierEvent(dossier=dossier, actor=actor, action=action, from_step=from_step,
                         to_step=dossier.step, from_agency=from_agency, to_agency=to_agency, note=note,
                         on_behalf_of=on_behalf_of)
    db.session.add(event)
    record_visit(dossier, event)
    event_written.send(dossier, event=event)
    return event


def log_stay(dossier: Dossier, actor: User | None, action: str, note: str, *, to_agency: Agency | None = None,
             from_agency: Agency | None = None) -> DossierEvent:
    """A history line that records something without moving the dossier (step and holder stay);
    ``to_agency``: the agency it concerns when not the holder (the agency asked for its opinion)."""
    return log(dossier, actor, action, dossier.step, from_agency or dossier.holder_agency,
               to_agency or dossier.holder_agency, note)


@verb("assign", refused=_l("Chỉ lãnh đạo cơ quan đang giữ hồ sơ được phân công lại."))
def assign(dossier: Dossier, actor: User | None, user: User, note: str | None = None) -> DossierEvent:
    """Give the dossier to ``user`` of the holding agency, who can act on its step (routing when
    ``actor`` is None, or a supervisor reassigning)."""
    if not dossier.is_open:
        raise OperationError(_("Hồ sơ đã kết thúc."))
    if user.agency_id != dossier.holder_agency_id or not user.active:
        raise OperationError(_("Người được giao phải thuộc cơ quan đang giữ hồ sơ."))
    procedure = engine().of(dossier)
    if not can_work_on_step(dossier, user):
        raise OperationError(_("%(name)s không có thao tác nào ở bước «%(step)s»; giao cho người có vai trò của bước.",
                               name=user.full_name, step=procedure.step(dossier.step).name))
    dossier.assignee = user
    event = log_stay(dossier, actor, "assign", note or f"Giao cho {user.full_name}")
    notify(user_id=user.id, dossier_id=dossier.id, kind="assigned",
           message=f"Hồ sơ {dossier.code} ({procedure.name[:80]}) được giao cho bạn.",
           key=f"assigned:{dossier.id}:{dossier.step_seq}:{user.id}")
    db.session.flush()
    return event


def _open_load(agency_id: int):
    """How many open dossiers of the agency the user (``User``, correlated) is given: counted on
    ``ix_dossiers_open_holder_assignee`` for that user alone, so the cost follows the officers of
    the agency and their work, never the city. (A dossier's assignee is always of the agency that
    holds it: ``assign`` checks it and every move to another agency clears the assignee.)"""
    return (select(func.count()).select_from(Dossier)
            .where(Dossier.holder_agency_id == agency_id, Dossier.assignee_id == User.id, _OPEN)
            .correlate(User).scalar_subquery())


def least_loaded(agency_id: int, role: str):
    """The agency's active user of ``role``, not away, with the fewest open dossiers (then the lowest id)."""
    return (select(User).where(User.agency_id == agency_id, User.role == Role(role), User.active, ~is_absent(User.id))
            .order_by(_open_load(agency_id), User.id).limit(1))


def route(dossier_id: int, step_seq: int) -> User | None:
    """Assign the dossier to the least-loaded active user of the holding agency with the step's role
    who is not away (an absence in force: ``auth/absences.py``).

    Idempotent: does nothing when the dossier has moved on (``step_seq`` differs) or is assigned.
    """
    # read afresh under the lock: a copy already in the session must not say "unassigned" after
    # another worker assigned it
    dossier = db.session.get(Dossier, dossier_id, with_for_update=True, populate_existing=True)
    if dossier is None or not dossier.is_open or dossier.step_seq != step_seq or dossier.assignee_id:
        return None
    role = engine().of(dossier).step(dossier.step).role
    officer = db.session.scalars(least_loaded(dossier.holder_agency_id, role)).first()
    if officer is None:
        return None
    assign(dossier, None, officer)
    return officer
