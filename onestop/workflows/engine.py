"""The workflow engine: one compiled ``transitions`` machine per procedure.

Machines are built once from the catalogue with ``model=None`` and fired on a thin ``Flow``
wrapper around a dossier row (``machine.events[name].trigger(flow)``), so no row is ever
added to a machine and one machine serves every thread and worker.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from transitions import Machine, MachineError

from onestop.workflows.definition import SYSTEM_ACTIONS, Action, Procedure, Step
from onestop.workflows.guards import GUARDS
from onestop.workflows.holders import AgencyTree, HolderNotFound, Node


class ActionRefused(Exception):
    """The action is not possible now; ``str(exc)`` is the reason for the user."""


class Flow:
    """Wraps a dossier for the machine: ``state`` proxies the dossier's ``step`` column."""

    __slots__ = ("dossier", "procedure", "note", "refusal")

    def __init__(self, dossier, procedure: Procedure, note: str | None = None):
        self.dossier = dossier
        self.procedure = procedure
        self.note = note
        self.refusal: str | None = None

    @property
    def state(self) -> str:
        return self.dossier.step

    @state.setter
    def state(self, value: str) -> None:
        self.dossier.step = value


class GuardCondition:
    """A named guard as a ``transitions`` condition; records the first refusal on the flow."""

    def __init__(self, name: str):
        self.name = name
        self.check = GUARDS[name]

    def __call__(self, event) -> bool:
        flow: Flow = event.model
        reason = self.check(flow)
        if reason is not None and flow.refusal is None:
            flow.refusal = reason
        return reason is None

    def __repr__(self) -> str:
        return f"<guard {self.name}>"


@dataclass(frozen=True)
class Compiled:
    procedure: Procedure
    machine: Machine


def compile_procedure(procedure: Procedure) -> Compiled:
    machine = Machine(model=None, states=[s.key for s in procedure.steps], initial=None,
                      auto_transitions=False, send_event=True, queued=False)
    for step in procedure.steps:
        for action in step.actions:
            machine.add_transition(action.name, step.key, action.target,
                                   conditions=[GuardCondition(g) for g in action.guards])
    return Compiled(procedure=procedure, machine=machine)


class Engine:
    def __init__(self, catalogue: dict[str, Procedure]):
        self.compiled = {code: compile_procedure(p) for code, p in catalogue.items()}
        #: desk id → (tree fingerprint, {procedure code: why the desk cannot receive it})
        self._intake: dict[int, tuple[int, dict[str, str]]] = {}

    def procedures(self) -> list[Procedure]:
        return sorted((c.procedure for c in self.compiled.values()), key=lambda p: (p.level, p.name))

    def procedure(self, code: str) -> Procedure:
        try:
            return self.compiled[code].procedure
        except KeyError:
            raise ActionRefused(_("Không có thủ tục mã %(code)s.", code=code)) from None

    def has(self, code: str) -> bool:
        return code in self.compiled

    def intake_problems(self, desk: Node, tree: AgencyTree) -> dict[str, str]:
        """The procedures a desk cannot receive, each with the reason: a step whose holder does not
        resolve from that desk. Worked out once per desk and kept until the tree changes."""
        cached = self._intake.get(desk.id)
        if cached is not None and cached[0] == tree.fingerprint:
            return cached[1]
        problems: dict[str, str] = {}
        for code, compiled in self.compiled.items():
            for step in compiled.procedure.steps:
                try:
                    tree.resolve(step.holder, desk)
                except HolderNotFound:
                    # lazy: the reason is kept with the desk, and read in the language of each request
                    problems[code] = _l("bước «%(step)s» không có cơ quan xử lý (%(holder)s)",
                                        step=step.name, holder=step.holder)
                    break
        self._intake[desk.id] = (tree.fingerprint, problems)
        return problems

    def actions_for_role(self, procedure: Procedure, step_key: str, role: str) -> list[Action]:
        """Actions of the step this role may press (guards are checked when fired); the system's
        own (``stop``) are never offered."""
        step = procedure.step(step_key)
        return [a for a in step.actions if (a.role or step.role) == role and a.name not in SYSTEM_ACTIONS]

    def fire(self, dossier, action_name: str, note: str | None = None) -> tuple[Step, Step]:
        """Move the dossier along ``action_name``; returns (from step, to step).

        Raises ``ActionRefused`` with the reason when the action is not defined from the current
        step or a guard says no; the dossier is then left exactly as it was.
        """
        compiled = self.compiled[dossier.procedure_code]
        procedure = compiled.procedure
        source = procedure.step(dossier.step)
        if source.action(action_name) is None:
            raise ActionRefused(_("Không thể «%(action)s» ở bước «%(step)s».", action=action_name, step=source.name))
        flow = Flow(dossier, procedure, note)
        try:
            moved = compiled.machine.events[action_name].trigger(flow)
        except MachineError as exc:
            raise ActionRefused(str(exc)) from exc
        if not moved:
            raise ActionRefused(flow.refusal or _("Điều kiện chưa thỏa mãn."))
        return source, procedure.step(dossier.step)


def engine() -> Engine:
    """The app's engine, compiled from the catalogue once at start-up (``create_app``)."""
    return current_app.extensions["onestop_engine"]


def intake_problems(desk) -> dict[str, str]:
    """Procedures the desk (an ``Agency``) cannot receive (a step would have no agency to hold it),
    with the reason, against the tree as it is now."""
    tree = AgencyTree.current()
    return engine().intake_problems(tree.nodes[desk.id], tree)
