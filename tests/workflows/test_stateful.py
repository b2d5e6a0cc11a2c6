"""Property tests over every procedure of the catalogue, on real dossiers through the operations door.

Hypothesis draws sequences of moves on a dossier received at a demo desk: an allowed action pressed
by a user of the holding agency in the step's role (with a note and every document, so guards
pass), anybody pressing anything (refused unless it is allowed, and then nothing changes), and
consultations asked and answered. After every move:

- exactly one agency holds the dossier: the one its step's holder rule resolves to from the desk,
  and only that agency's staff have actions;
- the step is one the procedure defines, and the status says the same thing as the step;
- from the step there is a path to an end in the definition graph (while the dossier is open);
- replaying the event log (from step, action, to step) through fresh flows reproduces the step.

Each example runs in a savepoint of the test's transaction, rolled back when the example ends.

Drawing the moves stays cheap, so Hypothesis' too_slow health check stays on: the dossier is made
in the constructor and every database read or write is in the rules and invariants (test time, not
generation time); what is drawn are small integers and names, and the preconditions only read the
loaded dossier's status.
"""
from collections import deque

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from onestop.api.systems import account_of
from onestop.auth.models import User
from onestop.consultations.models import Consultation
from onestop.consultations.operations import answer_consultation, request_consultation
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.models import OPEN_STATUSES, DossierEvent, Status
from onestop.dossiers.operations import available_actions, perform_action, receive_dossier, return_result
from onestop.workflows.definition import ACTION_LABELS, SYSTEM_ACTIONS, Procedure
from onestop.workflows.holders import resolve_holder
from tests.conftest import APPLICANT, vn
from tests.helpers import before
from tests.workflows.demo_desks import CATALOGUE, THREE_TIER_DAY, receiving_desk_code
from tests.workflows.test_catalogue import ENGINE, Case

NOTE = "Ý kiến của cán bộ xử lý"
SETTINGS = settings(max_examples=25, stateful_step_count=15, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much])
OUTCOME_STATUS = {"done": Status.DONE, "refused": Status.REFUSED, "withdrawn": Status.WITHDRAWN}
PICK = st.integers(min_value=0, max_value=10_000)
MAIN_PATH = ("forward", "sign", "approve", "send_result", "supplement_received", "return_result")


def can_finish(procedure: Procedure, key: str) -> bool:
    """Breadth-first over the definition: is a final step reachable from ``key``?"""
    seen, queue = {key}, deque([key])
    while queue:
        step = procedure.step(queue.popleft())
        if step.is_final:
            return True
        for action in step.actions:
            if action.target not in seen:
                seen.add(action.target)
                queue.append(action.target)
    return False


class Journey(RuleBasedStateMachine):
    def __init__(self, db, code: str, users: list[User]):
        super().__init__()
        self.db, self.users = db, users
        self.by_name = {u.username: u for u in users}
        self.procedure = CATALOGUE[code]
        self.all_documents = [d.key for d in self.procedure.documents]
        self.savepoint = db.session.begin_nested()
        desk = receiving_desk_code(self.procedure)
        self.dossier = receive_dossier(self.by_name[f"{desk.lower()}.clerk"], procedure_code=code,
                                       applicant=APPLICANT, documents=self.all_documents,
                                       delivery_method="post" if sum(map(ord, code)) % 2 else "desk")
        db.session.flush()

    def teardown(self):
        self.savepoint.rollback()

    # --- helpers -------------------------------------------------------------------------------

    def actor_for(self, step, action) -> User:
        """A user of the holding agency in the action's role; another system's own account on its steps."""
        if step.external_system:
            return account_of(self.dossier.holder_agency)
        return self.by_name[f"{self.dossier.holder_agency.code.lower()}.{action.role or step.role}"]

    def snapshot(self) -> tuple:
        d = self.dossier
        count = len(self.db.session.scalars(select(DossierEvent.id).where(DossierEvent.dossier_id == d.id)).all())
        return (d.step, d.holder_agency_id, d.status, d.step_seq, list(d.documents), d.result_recipient,
                d.post_waybill, count)

    def press_as(self, actor: User, action: str) -> None:
        """Press ``action`` as ``actor``: with a note, every document at the desk, the recipient at the end
        (and, when the action is allowed, what the procedure asks before it: fees paid, result uploaded)."""
        if self.allowed(actor, action):
            before(self.dossier, actor, action)
        if action == "return_result":
            return_result(self.dossier, actor, recipient=APPLICANT.name, waybill="EMS-0001")
        else:
            perform_action(self.dossier, actor, action, note=NOTE,
                           documents=self.all_documents if actor.role.value == "clerk" else None)

    def allowed(self, user: User, action: str) -> bool:
        d = self.dossier
        if d.status not in OPEN_STATUSES or not user.active or user.agency_id != d.holder_agency_id:
            return False
        step = self.procedure.step(d.step)
        return action not in SYSTEM_ACTIONS and any(
            a.name == action and (a.role or step.role) == user.role.value for a in step.actions)

    # --- rules ---------------------------------------------------------------------------------

    @precondition(lambda self: self.dossier.is_open)
    @rule(pick=PICK)
    def press_an_allowed_action(self, pick):
        step = self.procedure.step(self.dossier.step)
        people = [a for a in step.actions if a.name not in SYSTEM_ACTIONS]  # the sweep fires the others
        action = people[pick % len(people)]
        actor = self.actor_for(step, action)
        assert action.name in {a.name for a in available_actions(self.dossier, actor)}
        self.press_as(actor, action.name)
        assert self.dossier.step == action.target

    @precondition(lambda self: self.dossier.is_open)
    @rule()
    def press_the_main_path_action(self):
        """Forward, sign, approve… as the journeys do, so that examples also reach the result."""
        step = self.procedure.step(self.dossier.step)
        action = next(step.action(n) for n in MAIN_PATH if step.action(n) is not None)
        actor = self.actor_for(step, action)
        self.press_as(actor, action.name)
        assert self.dossier.step == action.target

    @rule(who=PICK, what=st.sampled_from(sorted(ACTION_LABELS)))
    def anybody_presses_anything(self, who, what):
        actor = self.users[who % len(self.users)]
        if self.allowed(actor, what):
            target = self.procedure.step(self.dossier.step).action(what).target
            self.press_as(actor, what)
            assert self.dossier.step == target
            return
        before = self.snapshot()
        with pytest.raises(OperationError):
            self.press_as(actor, what)
        assert self.snapshot() == before, "a refused action changed the dossier"

    @precondition(lambda self: self.dossier.is_open)
    @rule(pick=PICK)
    def ask_for_an_opinion(self, pick):
        d = self.dossier
        asker = next(u for u in self.users if u.agency_id == d.holder_agency_id and u.role.value != "admin")
        others = sorted({u.agency_id for u in self.users} - {d.holder_agency_id})
        to_agency = next(u.agency for u in self.users if u.agency_id == others[pick % len(others)])
        waiting = self.db.session.scalar(select(Consultation).where(
            Consultation.dossier_id == d.id, Consultation.to_agency_id == to_agency.id, Consultation.is_open))
        before = self.snapshot()
        if waiting is not None:
            with pytest.raises(OperationError, match="đang chờ trả lời"):
                request_consultation(d, asker, to_agency, "Đề nghị cho ý kiến")
            assert self.snapshot() == before
            return
        request_consultation(d, asker, to_agency, "Đề nghị cho ý kiến")
        after = self.snapshot()
        assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1, "a consultation moved the dossier"

    @precondition(lambda self: self.dossier.is_open)
    @rule(pick=PICK)
    def answer_an_opinion(self, pick):
        waiting = self.db.session.scalars(select(Consultation).where(
            Consultation.dossier_id == self.dossier.id, Consultation.is_open).order_by(Consultation.id)).all()
        if not waiting:
            return
        consultation = waiting[pick % len(waiting)]
        answerer = next(u for u in self.users if u.agency_id == consultation.to_agency_id
                        and u.role.value in ("officer", "supervisor"))
        before = self.snapshot()
        answer_consultation(consultation, answerer, "Thống nhất")
        after = self.snapshot()
        assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1, "an answer moved the dossier"

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def the_step_is_defined_and_the_status_agrees(self):
        d = self.dossier
        assert d.step in self.procedure.step_index and d.step in ENGINE.compiled[d.procedure_code].machine.states
        step = self.procedure.step(d.step)
        if step.is_final:
            assert d.status == OUTCOME_STATUS[step.outcome] and d.finished_at is not None
        else:
            assert d.status == (Status.SUPPLEMENT if step.kind == "supplement" else Status.PROCESSING)
            assert d.finished_at is None

    @invariant()
    def exactly_one_agency_holds_it(self):
        d = self.dossier
        expected = resolve_holder(self.procedure.step(d.step).holder, d.receiving_agency)
        assert d.holder_agency_id == expected.id
        acting = {u.agency_id for u in self.users if available_actions(d, u)}
        assert acting == ({d.holder_agency_id} if d.is_open else set())

    @invariant()
    def an_end_stays_reachable(self):
        assert can_finish(self.procedure, self.dossier.step)

    @invariant()
    def replaying_the_event_log_reproduces_the_step(self):
        d = self.dossier
        events = self.db.session.scalars(
            select(DossierEvent).where(DossierEvent.dossier_id == d.id).order_by(DossierEvent.id)).all()
        assert events[0].action == "receive" and events[0].from_step is None
        replay = Case(d.procedure_code, events[0].to_step, self.all_documents)
        assert replay.step == self.procedure.start.key
        machine_events = ENGINE.compiled[d.procedure_code].machine.events
        for event in events[1:]:
            assert event.from_step == replay.step, (event.action, event.from_step, replay.step)
            if event.action in machine_events:
                ENGINE.fire(replay, event.action, event.note)
            assert replay.step == event.to_step
        assert replay.step == d.step


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_any_sequence_of_allowed_actions_keeps_the_dossier_sound(db, code):
    users = list(db.session.scalars(select(User).where(User.active).order_by(User.id)))
    with clock.frozen(vn(THREE_TIER_DAY.year, THREE_TIER_DAY.month, THREE_TIER_DAY.day, 9)):  # the tree's era
        run_state_machine_as_test(lambda: Journey(db, code, users), settings=SETTINGS)
