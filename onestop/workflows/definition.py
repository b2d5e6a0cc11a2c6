"""Procedure definitions: the data files under ``catalogue/``, loaded and validated.

A broken file is refused with its name, the field and the reason, so the catalogue either
loads whole or the app does not start.

The format, one TOML file per procedure:

* top level: ``code``, ``name``, ``field``, ``level`` (one of the levels of
  ``agencies/structure.toml``), ``service_level`` (2, 3 or 4), ``budget_days`` (the legal time in
  working days), optional ``fee``, ``notes`` and ``cutoff``, then ``[[documents]]`` (``key``,
  ``name``, ``form``, ``required``, ``copies``) and ``[[steps]]``;
* ``cutoff = "HH:MM"`` (optional): a dossier received on a working day after that local time is
  counted from the opening of the next working day (e.g. ``"15:00"`` for birth registration); it
  must fall inside the standard office hours. Without it the budget counts from the receipt;
* each step: ``key``, ``name``, ``holder`` (the rule below), ``role`` (clerk, officer or
  supervisor), ``hours`` (working hours; 8 h = 1 day), ``kind`` (work, supplement or final),
  ``outcome`` (final steps: done, refused or withdrawn), ``branch`` (re-work outside the budget)
  and ``actions`` (``name``, ``to``, ``guards``, ``role``, ``label``).

The holder of a step is a rule resolved from the receiving desk against the agency tree
(``holders.py``), never a fixed agency unless the file says so:

* ``desk``: the receiving desk itself;
* ``level:<level>``: the agency of that level on the desk's own chain (the desk or an ancestor);
* ``sector:<sector>``: an agency of that sector in the desk's tree, the nearest on the desk's
  chain first (so a ward with the sector keeps the step), otherwise the highest in the tree;
* ``agency:<code>``: that agency;
* ``external:<system>``: another system (the tax office's, the police's…) declared under
  ``external_systems`` in ``agencies/structure.toml``: the dossier is sent out to it (a webhook) and
  waits until that system posts the outcome, one of the step's actions, through the API. Such a
  step is worked by the system's own account, so its ``role`` (and its actions') is ``officer``;
* ``@<level>`` after ``desk`` or ``sector:<sector>`` keeps only agencies of that level:
  ``sector:justice@department`` is the justice department even when the receiving ward also has
  the justice sector; ``desk@department`` is the receiving desk only when it is a department (a
  reception step with it makes the other desks unable to receive the procedure).

Levels and sectors are the names listed in ``agencies/structure.toml``, so a two-tier tree
(province and commune) is written with other names, not other code.
"""
import difflib
import functools
import re
import tomllib
from collections import deque
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from onestop.agencies.structure import Structure, structure
from onestop.core.calendar import HOURS_PER_DAY, OfficeHours
from onestop.workflows.guards import GUARDS

CATALOGUE_DIR = Path(__file__).with_name("catalogue")

ROLES = ("clerk", "officer", "supervisor")
STEP_KINDS = ("work", "supplement", "final")
OUTCOMES = ("done", "refused", "withdrawn")

#: action verbs the engine knows, with the button label shown to staff: a step action without a
#: ``label`` of its own gets this one, translated for each request (a label written in a procedure
#: file is shown as written)
ACTION_LABELS = {
    "forward": _l("Chuyển xử lý"),
    "send_back": _l("Trả lại bước trước"),
    "request_supplement": _l("Yêu cầu bổ sung"),
    "supplement_received": _l("Đã nhận bổ sung"),
    "refuse": _l("Từ chối"),
    "approve": _l("Phê duyệt"),
    "sign": _l("Ký duyệt"),
    "send_result": _l("Chuyển kết quả về bộ phận một cửa"),
    "return_result": _l("Trả kết quả"),
    "withdraw": _l("Rút hồ sơ"),
}
#: the fields each table of a procedure file may have; anything else is refused (a typo would
#: otherwise be ignored silently, e.g. ``budjet_days`` leaving the budget at its default)
TOP_FIELDS = ("code", "name", "field", "level", "service_level", "budget_days", "fee", "notes", "cutoff", "documents",
              "steps")
DOCUMENT_FIELDS = ("key", "name", "form", "required", "copies")
STEP_FIELDS = ("key", "name", "holder", "role", "hours", "kind", "outcome", "branch", "actions")
ACTION_FIELDS = ("name", "to", "guards", "role", "label")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_CUTOFF = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
#: the kinds of holder rule, and which of them take an ``@<level>`` qualifier
HOLDER_KINDS = ("desk", "level", "sector", "agency", "external")
QUALIFIED_KINDS = ("desk", "sector")
HOLDER_SYNTAX = ("'desk', 'desk@<level>', 'level:<level>', 'sector:<sector>', 'sector:<sector>@<level>', "
                 "'agency:<code>' or 'external:<system>'")
#: the role of the account another system acts with on the steps it holds
EXTERNAL_ROLE = "officer"


class DefinitionError(ValueError):
    """A procedure file is wrong: says which file, which field and why."""

    def __init__(self, source: str, field_name: str, reason: str):
        self.source, self.field, self.reason = source, field_name, reason
        super().__init__(f"{source}: {field_name}: {reason}")


@dataclass(frozen=True)
class HolderRule:
    """A step's ``holder`` taken apart: ``sector:justice@department`` is
    ``HolderRule("sector", "justice", "department")``."""
    kind: str
    value: str = ""
    #: the ``@<level>`` qualifier: only agencies of this level qualify
    level: str | None = None


@functools.cache
def parse_holder(spec: str) -> HolderRule:
    """The parts of a holder rule; ``ValueError`` (with the reason) when it is not one.

    Only the syntax is checked here; whether the level or sector exists is the validator's job.
    """
    base, at, level = spec.partition("@")
    kind, colon, value = base.partition(":")
    if kind not in HOLDER_KINDS:
        raise ValueError(f"not a holder rule; use {HOLDER_SYNTAX}")
    if kind == "desk" and colon:
        raise ValueError(f"'desk' takes no ':<value>'; use {HOLDER_SYNTAX}")
    if kind != "desk" and not value:
        raise ValueError(f"{kind!r} needs a value after ':'; use {HOLDER_SYNTAX}")
    if at and kind not in QUALIFIED_KINDS:
        raise ValueError(f"'@<level>' narrows only 'desk' and 'sector:<sector>' rules, not {kind!r}")
    if at and not level:
        raise ValueError("a level is missing after '@', e.g. 'sector:justice@department'")
    return HolderRule(kind=kind, value=value, level=level or None)


@dataclass(frozen=True)
class Document:
    key: str
    name: str
    form: str = "original"
    required: bool = True
    copies: int = 1


@dataclass(frozen=True)
class Action:
    name: str
    target: str
    guards: tuple[str, ...] = ()
    role: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    holder: str
    role: str
    hours: float
    kind: str = "work"
    outcome: str | None = None
    branch: bool = False
    actions: tuple[Action, ...] = ()

    @property
    def is_final(self) -> bool:
        return self.kind == "final"

    @property
    def external_system(self) -> str | None:
        """The key of the other system holding this step (``external:<key>``), else None."""
        rule = parse_holder(self.holder)
        return rule.value if rule.kind == "external" else None

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    level: str
    service_level: int
    budget_days: float
    fee: str
    documents: tuple[Document, ...]
    steps: tuple[Step, ...]
    source: str = ""
    notes: str = ""
    #: local time after which a dossier received on a working day counts from the next working day
    cutoff: time | None = None
    step_index: dict[str, Step] = field(default_factory=dict, compare=False, repr=False)

    @property
    def start(self) -> Step:
        return self.steps[0]

    @property
    def budget_hours(self) -> float:
        return self.budget_days * HOURS_PER_DAY

    def step(self, key: str) -> Step:
        return self.step_index[key]

    def required_documents(self) -> list[Document]:
        return [d for d in self.documents if d.required]

    def checklist_problem(self, documents, *, require: bool = True) -> str | None:
        """Why ``documents`` (keys) are not a checklist of this procedure, in the request's language:
        a document it does not list, or (``require``) a required one missing; None when they are."""
        unknown = set(documents) - {d.key for d in self.documents}
        if unknown:
            return _("Có giấy tờ không thuộc thủ tục đã chọn: %(documents)s.", documents=", ".join(sorted(unknown)))
        missing = [d.name for d in self.required_documents() if d.key not in documents] if require else []
        if missing:
            return _("Còn thiếu giấy tờ bắt buộc: %(documents)s", documents="; ".join(missing))
        return None


def _get(data: dict, key: str, kind: type | tuple, source: str, where: str, default=...):
    if key not in data:
        if default is ...:
            raise DefinitionError(source, f"{where}{key}", "is missing")
        return default
    value = data[key]
    if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise DefinitionError(source, f"{where}{key}", f"must be {_kind_name(kind)}, not a boolean")
    if not isinstance(value, kind):
        raise DefinitionError(source, f"{where}{key}", f"must be {_kind_name(kind)}, got {value!r}")
    return value


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({str: "text", int: "a whole number", float: "a number", bool: "true/false",
                        list: "a list", dict: "a table"}.get(k, k.__name__) for k in kinds)


def _check_fields(data, known: tuple[str, ...], source: str, where: str) -> None:
    """Refuse a table that is not a table, or that has a field the format does not know."""
    if not isinstance(data, dict):
        raise DefinitionError(source, where.rstrip(".") or "(file)", f"must be a table, got {data!r}")
    for name in data:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DefinitionError(source, f"{where}{name}", f"unknown field {name!r}{hint}; known: {', '.join(known)}")


def _check_holder(holder: str, known: Structure, source: str, where: str) -> None:
    """Refuse a holder rule that is malformed or names a level or sector ``structure.toml`` does not have."""
    try:
        rule = parse_holder(holder)
    except ValueError as exc:
        raise DefinitionError(source, f"{where}holder", f"unknown agency {holder!r}: {exc}") from None
    if rule.kind == "external" and rule.value not in known.external_systems:
        names = sorted(known.external_systems)
        close = difflib.get_close_matches(rule.value, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DefinitionError(source, f"{where}holder", f"unknown system {rule.value!r}{hint}; known systems "
                                                        f"(external_systems in structure.toml): {', '.join(names) or 'none'}")
    for what, name, names in (("level", rule.value if rule.kind == "level" else None, known.levels),
                              ("sector", rule.value if rule.kind == "sector" else None, sorted(known.sectors)),
                              ("level", rule.level, known.levels)):
        if name is not None and name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DefinitionError(source, f"{where}holder", f"unknown agency {holder!r}: no {what} {name!r}{hint}; "
                                                            f"known {what}s: {', '.join(names)}")


def _parse_cutoff(data: dict, source: str, office_hours: OfficeHours) -> time | None:
    text = _get(data, "cutoff", str, source, "", None)
    if text is None:
        return None
    match = _CUTOFF.match(text)
    if match is None:
        raise DefinitionError(source, "cutoff", f"{text!r} must be a time of day written HH:MM, e.g. \"15:00\"")
    cutoff = time(int(match.group(1)), int(match.group(2)))
    if not any(start < cutoff <= end for start, end in office_hours.periods):
        raise DefinitionError(source, "cutoff", f"{text} is outside office hours ({office_hours}); a dossier received "
                                                "after the cut-off counts from the next working day")
    return cutoff


def parse_procedure(data: dict, source: str, known: Structure | None = None,
                    office_hours: OfficeHours | None = None) -> Procedure:
    """Validate one procedure file's data; ``office_hours`` (default: the standard ones) bound its cut-off."""
    known = known or structure()
    _check_fields(data, TOP_FIELDS, source, "")
    documents = []
    for i, doc in enumerate(_get(data, "documents", list, source, "")):
        where = f"documents[{i}]."
        _check_fields(doc, DOCUMENT_FIELDS, source, where)
        documents.append(Document(
            key=_get(doc, "key", str, source, where), name=_get(doc, "name", str, source, where),
            form=_get(doc, "form", str, source, where, "original"),
            required=_get(doc, "required", bool, source, where, True),
            copies=_get(doc, "copies", int, source, where, 1)))
    doc_keys = [d.key for d in documents]
    if len(set(doc_keys)) != len(doc_keys):
        raise DefinitionError(source, "documents", "two documents share a key")

    steps = []
    for i, raw in enumerate(_get(data, "steps", list, source, "")):
        where = f"steps[{i}]."
        if not isinstance(raw, dict):
            raise DefinitionError(source, f"steps[{i}]", f"must be a table, got {raw!r}")
        key = _get(raw, "key", str, source, where)
        if not _IDENT.match(key):
            raise DefinitionError(source, f"{where}key", f"{key!r} must be lower_case_with_underscores")
        where = f"steps.{key}."
        _check_fields(raw, STEP_FIELDS, source, where)
        kind = _get(raw, "kind", str, source, where, "work")
        if kind not in STEP_KINDS:
            raise DefinitionError(source, f"{where}kind", f"unknown kind {kind!r}; known: {', '.join(STEP_KINDS)}")
        outcome = _get(raw, "outcome", str, source, where, None)
        if kind == "final" and outcome not in OUTCOMES:
            raise DefinitionError(source, f"{where}outcome", f"a final step needs outcome, one of {', '.join(OUTCOMES)}")
        holder = _get(raw, "holder", str, source, where)
        _check_holder(holder, known, source, where)
        role = _get(raw, "role", str, source, where, "officer")
        if role not in ROLES:
            raise DefinitionError(source, f"{where}role", f"unknown role {role!r}; known: {', '.join(ROLES)}")
        external = parse_holder(holder).kind == "external"
        if external and role != EXTERNAL_ROLE:
            raise DefinitionError(source, f"{where}role", f"a step held by another system is worked by that "
                                                          f"system's account, of role {EXTERNAL_ROLE!r}, not {role!r}")
        hours = float(_get(raw, "hours", (int, float), source, where, ... if kind == "work" else 0))
        if hours < 0:
            raise DefinitionError(source, f"{where}hours", "cannot be negative")
        if kind == "work" and hours == 0:
            raise DefinitionError(source, f"{where}hours",
                                  "a work step needs more than 0 working hours (a 0 h step is overdue the moment "
                                  "it is entered); a pause for the citizen is kind = \"supplement\"")
        actions = []
        for j, act in enumerate(_get(raw, "actions", list, source, where, [])):
            awhere = f"{where}actions[{j}]."
            _check_fields(act, ACTION_FIELDS, source, awhere)
            name = _get(act, "name", str, source, awhere)
            if name not in ACTION_LABELS:
                raise DefinitionError(source, f"{awhere}name", f"unknown action {name!r}; known: {', '.join(ACTION_LABELS)}")
            guards = tuple(_get(act, "guards", list, source, awhere, []))
            for g in guards:
                if g not in GUARDS:
                    raise DefinitionError(source, f"{awhere}guards", f"unknown guard {g!r}; known: {', '.join(GUARDS)}")
            arole = _get(act, "role", str, source, awhere, None)
            if arole is not None and arole not in ROLES:
                raise DefinitionError(source, f"{awhere}role", f"unknown role {arole!r}; known: {', '.join(ROLES)}")
            if external and arole not in (None, EXTERNAL_ROLE):
                raise DefinitionError(source, f"{awhere}role", f"the actions of a step held by another system are "
                                                               f"that system's ({EXTERNAL_ROLE!r}), not {arole!r}")
            if any(a.name == name for a in actions):
                raise DefinitionError(source, f"{awhere}name", f"action {name!r} appears twice in step {key!r}")
            actions.append(Action(name=name, target=_get(act, "to", str, source, awhere), guards=guards,
                                  role=arole, label=_get(act, "label", str, source, awhere, ACTION_LABELS[name])))
        steps.append(Step(key=key, name=_get(raw, "name", str, source, where), holder=holder, role=role,
                          hours=hours, kind=kind, outcome=outcome if kind == "final" else None,
                          branch=_get(raw, "branch", bool, source, where, False), actions=tuple(actions)))
    if not steps:
        raise DefinitionError(source, "steps", "a procedure needs at least one step")

    level = _get(data, "level", str, source, "")
    if level not in known.levels:
        raise DefinitionError(source, "level", f"unknown level {level!r}; known: {', '.join(known.levels)}")
    service_level = _get(data, "service_level", int, source, "")
    if service_level not in (2, 3, 4):
        raise DefinitionError(source, "service_level", "must be 2, 3 or 4")
    procedure = Procedure(
        code=_get(data, "code", str, source, ""), name=_get(data, "name", str, source, ""),
        field=_get(data, "field", str, source, ""), level=level, service_level=service_level,
        budget_days=float(_get(data, "budget_days", (int, float), source, "")),
        fee=_get(data, "fee", str, source, "", ""), notes=_get(data, "notes", str, source, "", ""),
        cutoff=_parse_cutoff(data, source, office_hours or OfficeHours()),
        documents=tuple(documents), steps=tuple(steps), source=source)
    procedure.step_index.update({s.key: s for s in steps})
    _check_graph(procedure)
    return procedure


def _check_graph(p: Procedure) -> None:
    src = p.source
    if len(p.step_index) != len(p.steps):
        raise DefinitionError(src, "steps", "two steps share a key")
    if p.start.is_final:
        raise DefinitionError(src, f"steps.{p.start.key}", "the first step cannot be final")
    for step in p.steps:
        for action in step.actions:
            if action.target not in p.step_index:
                raise DefinitionError(src, f"steps.{step.key}.actions.{action.name}.to",
                                      f"unknown step {action.target!r}")
        if step.is_final and step.actions:
            raise DefinitionError(src, f"steps.{step.key}.actions", "a final step has no actions")
        if not step.is_final and not step.actions:
            raise DefinitionError(src, f"steps.{step.key}.actions", "step has no way out (no actions)")
    reachable = _reach(p.start.key, lambda k: [a.target for a in p.step(k).actions])
    for step in p.steps:
        if step.key not in reachable:
            raise DefinitionError(src, f"steps.{step.key}", "unreachable from the first step")
    reverse: dict[str, list[str]] = {s.key: [] for s in p.steps}
    for step in p.steps:
        for action in step.actions:
            reverse[action.target].append(step.key)
    finals = [s.key for s in p.steps if s.is_final]
    can_finish: set[str] = set()
    for key in finals:
        can_finish |= _reach(key, lambda k: reverse[k])
    for step in p.steps:
        if step.key not in can_finish:
            raise DefinitionError(src, f"steps.{step.key}", "no path from this step to an end")
    if not any(s.outcome == "done" for s in p.steps):
        raise DefinitionError(src, "steps", "no final step with outcome 'done'")
    main_hours = sum(s.hours for s in p.steps if s.kind == "work" and not s.branch)
    if abs(main_hours - p.budget_hours) > 0.01:
        raise DefinitionError(
            src, "steps.hours",
            f"step budgets add up to {main_hours:g} h but the legal budget is {p.budget_days:g} "
            f"working days = {p.budget_hours:g} h (mark re-work steps with branch = true)")


def _reach(start: str, neighbours) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in neighbours(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def load_catalogue(directory: Path = CATALOGUE_DIR, office_hours: OfficeHours | None = None) -> dict[str, Procedure]:
    """Every ``*.toml`` under ``directory``, validated; raises ``DefinitionError`` on the first bad one."""
    catalogue: dict[str, Procedure] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DefinitionError(path.name, "(file)", f"not valid TOML: {exc}") from exc
        procedure = parse_procedure(data, path.name, office_hours=office_hours)
        if procedure.code in catalogue:
            raise DefinitionError(path.name, "code",
                                  f"duplicate code {procedure.code!r}, also in {catalogue[procedure.code].source}")
        catalogue[procedure.code] = procedure
    if not catalogue:
        raise DefinitionError(str(directory), "(folder)", "no procedure files found")
    return catalogue
