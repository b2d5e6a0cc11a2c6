"""The workflow engine: one compiled ``transitions`` machine per procedure.

Machines are built once from the catalogue with ``model=None`` and fired on a thin ``Flow``
wrapper around a dossier row (``machine.events[name].trigger(flow)``), so no row is ever
added to a machine and one machine serves every thread and worker.
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from transitions import Machine, MachineError

from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.workflows.definition import SYSTEM_ACTIONS, Action, Procedure, Step
from onestop.workflows.guards import GUARDS
from onestop.workflows.holders import AgencyTree, HolderNotFound, Node
from onestop.workflows.versions import in_force


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


def today() -> date:
    """The local date (Asia/Ho_Chi_Minh) by the app's clock: the day that chooses versions."""
    return clock.now().astimezone(VN_TZ).date()


class Engine:
    """The compiled catalogue. ``catalogue`` maps each code to a procedure or to its versions in order
    (``definition.load_versions``); ``compiled`` keeps the latest version of each code."""

    def __init__(self, catalogue: dict[str, Procedure | list[Procedure]]):
        self.versions: dict[str, list[Procedure]] = {
            code: list(found) if isinstance(found, list | tuple) else [found] for code, found in catalogue.items()}
        self._compiled = {(p.code, p.version): compile_procedure(p)
                          for found in self.versions.values() for p in found}
        self.compiled = {code: self._compiled[(code, found[-1].version)] for code, found in self.versions.items()}
        #: desk id → (tree fingerprint, day, {procedure code: why the desk cannot receive it})
        self._intake: dict[int, tuple[int, date, dict[str, str]]] = {}
        #: desk id → (tree fingerprint, day, procedure code → the units it may be received for), ``boundary.py``
        self.competent_cache: dict[int, tuple[int, date, dict[str, tuple[int, ...]]]] = {}

    def current(self, code: str, day: date | None = None) -> Procedure:
        """The version in force on ``day`` (default today); the latest when none is (to show its name)."""
        found = self.versions[code]
        return in_force(found, day or today()) or found[-1]

    def procedures(self) -> list[Procedure]:
        """One per code: the version in force today."""
        return sorted((self.current(code) for code in self.versions), key=lambda p: (p.level, p.name))

    def all_versions(self) -> list[Procedure]:
        return [p for found in self.versions.values() for p in found]

    def procedure(self, code: str, version: int | None = None) -> Procedure:
        """That version of the procedure; without one, the version in force today."""
        if code not in self.versions:
            raise ActionRefused(_("Không có thủ tục mã %(code)s.", code=code))
        if version is None:
            return self.current(code)
        try:
            return self._compiled[(code, version)].procedure
        except KeyError:
            raise ActionRefused(_("Không có phiên bản %(version)s của thủ tục mã %(code)s.", version=version,
                                  code=code)) from None

    def of(self, dossier) -> Procedure:
        """The version the dossier was received under (it keeps it until it ends)."""
        return self.procedure(dossier.procedure_code, getattr(dossier, "procedure_version", None))

    def compiled_of(self, dossier) -> Compiled:
        return self._compiled[(dossier.procedure_code, self.of(dossier).version)]

    def compiled_version(self, code: str, version: int | None = None) -> Compiled | None:
        """That version compiled (default: the one in force today), or None when there is none."""
        if code not in self.versions:
            return None
        return self._compiled.get((code, version if version is not None else self.current(code).version))

    def receivable(self, code: str, day: date | None = None) -> Procedure:
        """The version a dossier received on ``day`` (default today) is received under."""
        if code not in self.versions:
            raise ActionRefused(_("Không có thủ tục mã %(code)s.", code=code))
        found = in_force(self.versions[code], day or today())
        if found is None:
            raise ActionRefused(_("Thủ tục mã %(code)s không có phiên bản đang có hiệu lực.", code=code))
        return found

    def has(self, code: str) -> bool:
        return code in self.versions

    @staticmethod
    def routing_problem(procedure: Procedure, desk: Node, tree: AgencyTree, competent: Node | None = None):
        """Why a dossier of this procedure (version) received at ``desk`` (for the ``competent``
        unit, default the desk's own) could not be routed: the first step whose holder does not
        resolve from it (a lazy string), or None."""
        for step in procedure.steps:
            try:
                tree.resolve(step.holder, desk, competent)
            except HolderNotFound:
                # lazy: the reason is kept with the desk, and read in the language of each request
                return _l("bước «%(step)s» không có cơ quan xử lý (%(holder)s)", step=step.name, holder=step.holder)
        return None

    def intake_problems(self, desk: Node, tree: AgencyTree) -> dict[str, str]:
        """The procedures a desk cannot receive today, each with the reason: a step of the version in
        force whose holder does not resolve from that desk (or no version in force). Worked out once
        per desk and kept until the tree or the day changes."""
        day = today()
        cached = self._intake.get(desk.id)
        if cached is not None and cached[:2] == (tree.fingerprint, day):
            return cached[2]
        problems: dict[str, str] = {}
        for code, found in self.versions.items():
            version = in_force(found, day)
            problem = (self.routing_problem(version, desk, tree) if version is not None
                       else _l("thủ tục không có phiên bản đang có hiệu lực"))
            if problem is not None:
                problems[code] = problem
        self._intake[desk.id] = (tree.fingerprint, day, problems)
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
        compiled = self.compiled_of(dossier)
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
