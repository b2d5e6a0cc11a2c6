"""Procedure definitions: the data files under ``catalogue/``, loaded and validated.

A broken file is refused with its name, the field and the reason, so the catalogue either
loads whole or the app does not start.

The format, one TOML file per procedure:

* top level: ``code``, ``name``, ``field``, ``level`` (one of the levels of
  ``agencies/structure.toml``), ``service_level`` (2, 3 or 4), ``budget_days`` (the legal time in
  working days), optional ``fee`` (the fees as the catalogue words them), ``notes``, ``cutoff``,
  ``lookup_by``, ``supplement_limit_days``, ``supplement_reminder_days`` and ``e_result``, then
  ``[[documents]]`` (``key``, ``name``, ``form``, ``required``, ``copies``, ``on_behalf``),
  ``[[fields]]``, ``[[fees]]`` and ``[[steps]]``;
* ``version``, ``in_force_from`` and ``in_force_until`` (optional): which version of the procedure
  this file is and the days it is in force; several files may share a code, one per version
  (``versions.py``);
* ``[[fees]]`` (optional; none: free): the fees as amounts the desk computes, collects and
  receipts, each ``key``, ``name``, ``kind``, ``per``, ``amount``, ``tiers``, ``cap``,
  ``online_percent``, ``collect``, ``estimated`` and ``source``: see ``fee_schedule.py``;
* ``[[fields]]`` (optional): the procedure's own data the desk records (the child of a birth
  registration, the parcel of a land dossier), each ``key``, ``label``, ``type`` (text, integer,
  decimal, date, choice), ``required``, ``hint`` and the type's bounds: see ``fields.py``;
* a document with ``on_behalf = true`` is the authorisation of someone filing on the applicant's
  behalf (người nộp thay): required then, and only then (so it cannot be ``required``); a
  procedure without one does not take filings on behalf;
* ``lookup_by`` (default ``"either"``): whose last four digits open the public look-up:
  ``"applicant"`` (the applicant's ID, an organisation's tax code), ``"submitter"`` (the
  submitter's, when someone filed on behalf) or ``"either"``;
* ``supplement_limit_days`` (optional, working days): a supplement not brought within this time
  ends the dossier; the deadline sweep fires the supplement step's ``stop`` action as the system
  (each supplement step must then have one, to a final step) and the desk prints the stop
  notice (slip 05). ``supplement_reminder_days`` (default 1, less than the limit): the citizen is
  reminded this many working days before;
* ``e_result = true``: the signed result (PDF) must be uploaded before the ``sign`` action (a
  procedure with it has a step with that action); without it the upload is offered, not required;
* ``competent_by_address = true``: the unit competent for a dossier follows from where the
  applicant lives (civil status), so the intake page proposes the unit its address names when a
  desk receives across boundaries (``boundary.py``); without it the clerk names the unit;
* ``cutoff = "HH:MM"`` (optional): a dossier received on a working day after that local time is
  counted from the opening of the next working day (e.g. ``"15:00"`` for birth registration); it
  must fall inside the standard office hours. Without it the budget counts from the receipt;
* each step: ``key``, ``name``, ``holder`` (the rule below), ``role`` (clerk, officer or
  supervisor), ``hours`` (working hours; 8 h = 1 day), ``kind`` (work, supplement or final),
  ``outcome`` (final steps: done, refused or withdrawn), ``branch`` (re-work outside the budget)
  and ``actions`` (``name``, ``to``, ``guards``, ``role``, ``label``).

The holder of a step is a rule resolved from the receiving desk against the agency tree
(``holders.py``), never a fixed agency unless the file says so:

* ``desk``: the receiving desk itself (reception, supplements, the result handed back);
* ``competent``: the unit competent to decide the dossier: the receiving desk's own unit, unless
  the clerk received it for another (Decree 118/2025: reception regardless of administrative
  boundary, ``Dossier.competent_agency_id``). The rules below resolve from that unit's chain too;
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
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from onestop.agencies.structure import Structure, structure
from onestop.core.calendar import HOURS_PER_DAY, OfficeHours
from onestop.workflows import fee_schedule
from onestop.workflows.errors import DefinitionError
from onestop.workflows.fee_schedule import Fee
from onestop.workflows.fields import FieldSpec, parse_fields
from onestop.workflows.graph import check_features, check_graph
from onestop.workflows.guards import GUARDS
from onestop.workflows.holder_rules import EXTERNAL_ROLE, HolderRule, check_holder, parse_holder  # noqa: F401  (re-exported)
from onestop.workflows.versions import VERSION_FIELDS, check_versions, parse_validity

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
    "stop": _l("Dừng xử lý hồ sơ"),
}
#: actions only the system fires (the deadline sweep), never offered to a person
SYSTEM_ACTIONS = frozenset({"stop"})
#: whose digits the public look-up accepts (``lookup_by``)
LOOKUP_BY = ("applicant", "submitter", "either")
#: the fields each table of a procedure file may have; anything else is refused (a typo would
#: otherwise be ignored silently, e.g. ``budjet_days`` leaving the budget at its default)
TOP_FIELDS = ("code", "name", "field", "level", "service_level", "budget_days", "fee", "notes", "cutoff", "lookup_by",
              "supplement_limit_days", "supplement_reminder_days", "e_result", "competent_by_address",
              "documents", "fields", "fees", "steps",
              *VERSION_FIELDS)
DOCUMENT_FIELDS = ("key", "name", "form", "required", "copies", "on_behalf")
STEP_FIELDS = ("key", "name", "holder", "role", "hours", "kind", "outcome", "branch", "actions")
ACTION_FIELDS = ("name", "to", "guards", "role", "label")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_CUTOFF = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")



@dataclass(frozen=True)
class Document:
    key: str
    name: str
    form: str = "original"
    required: bool = True
    copies: int = 1
    #: the authorisation of a submitter filing on the applicant's behalf: required then only
    on_behalf: bool = False


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
    #: the fees the desk computes and receipts (none: free)
    fees: tuple[Fee, ...] = ()
    #: the procedure's own data the desk records
    fields: tuple[FieldSpec, ...] = ()
    #: whose last four digits open the public look-up
    lookup_by: str = "either"
    #: working days a supplement may take before the sweep stops the dossier; None: no limit
    supplement_limit_days: int | None = None
    #: working days before that limit the citizen is reminded
    supplement_reminder_days: int = 1
    #: the signed result must be uploaded before it is signed
    e_result: bool = False
    #: the competent unit follows from the applicant's address (the intake page proposes it)
    competent_by_address: bool = False
    #: which version of the procedure this is (several files may share a code), and the days it is in force
    version: int = 1
    in_force_from: date | None = None
    in_force_until: date | None = None
    step_index: dict[str, Step] = field(default_factory=dict, compare=False, repr=False)

    @property
    def start(self) -> Step:
        return self.steps[0]

    @property
    def budget_hours(self) -> float:
        return self.budget_days * HOURS_PER_DAY

    def step(self, key: str) -> Step:
        return self.step_index[key]

    def required_documents(self, on_behalf: bool = False) -> list[Document]:
        """The documents a complete dossier has; the authorisation too when filed on behalf."""
        return [d for d in self.documents if d.required or (on_behalf and d.on_behalf)]

    @property
    def takes_submitters(self) -> bool:
        """Whether someone may file on the applicant's behalf (the procedure lists an authorisation)."""
        return any(d.on_behalf for d in self.documents)

    def own_field(self, key: str) -> FieldSpec | None:
        """The declared field of the procedure's own data with this key."""
        return next((f for f in self.fields if f.key == key), None)

    def checklist_problem(self, documents, *, require: bool = True, on_behalf: bool = False) -> str | None:
        """Why ``documents`` (keys) are not a checklist of this procedure, in the request's language:
        a document it does not list, or (``require``) a required one missing (``on_behalf``: the
        authorisation of a submitter too); None when they are."""
        unknown = set(documents) - {d.key for d in self.documents}
        if unknown:
            return _("Có giấy tờ không thuộc thủ tục đã chọn: %(documents)s.", documents=", ".join(sorted(unknown)))
        missing = [d.name for d in self.required_documents(on_behalf) if d.key not in documents] if require else []
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
            copies=_get(doc, "copies", int, source, where, 1),
            on_behalf=_get(doc, "on_behalf", bool, source, where, False)))
        if documents[-1].on_behalf and documents[-1].required:
            raise DefinitionError(source, f"{where}required", "an on_behalf document (the authorisation of someone "
                                                              "filing on behalf) is required only then: set required = false")
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
        check_holder(holder, known, source, where)
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
            if name in SYSTEM_ACTIONS and (arole is not None or guards):
                raise DefinitionError(source, f"{awhere}name", f"{name!r} is fired by the system (the deadline sweep): "
                                                               "it takes no role and no guards")
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
    lookup_by = _get(data, "lookup_by", str, source, "", "either")
    if lookup_by not in LOOKUP_BY:
        raise DefinitionError(source, "lookup_by", f"unknown value {lookup_by!r}; known: {', '.join(LOOKUP_BY)}")
    if lookup_by == "submitter" and not any(d.on_behalf for d in documents):
        raise DefinitionError(source, "lookup_by", "'submitter' needs filings on behalf: list the authorisation "
                                                   "document with on_behalf = true")

    def error(field_name: str, reason: str) -> DefinitionError:
        return DefinitionError(source, field_name, reason)

    procedure = Procedure(
        code=_get(data, "code", str, source, ""), name=_get(data, "name", str, source, ""),
        field=_get(data, "field", str, source, ""), level=level, service_level=service_level,
        budget_days=float(_get(data, "budget_days", (int, float), source, "")),
        fee=_get(data, "fee", str, source, "", ""), notes=_get(data, "notes", str, source, "", ""),
        cutoff=_parse_cutoff(data, source, office_hours or OfficeHours()),
        fees=fee_schedule.parse_fees(data.get("fees"), error), fields=parse_fields(data.get("fields"), source, error),
        lookup_by=lookup_by, **_supplement_limit(data, source), e_result=_get(data, "e_result", bool, source, "", False),
        competent_by_address=_get(data, "competent_by_address", bool, source, "", False),
        documents=tuple(documents), steps=tuple(steps), source=source, **parse_validity(data, source))
    procedure.step_index.update({s.key: s for s in steps})
    check_graph(procedure)
    check_features(procedure)
    return procedure


def _supplement_limit(data: dict, source: str) -> dict:
    limit = _get(data, "supplement_limit_days", int, source, "", None)
    reminder = _get(data, "supplement_reminder_days", int, source, "", 1)
    if limit is None:
        if "supplement_reminder_days" in data:
            raise DefinitionError(source, "supplement_reminder_days", "needs supplement_limit_days (the reminder "
                                                                      "comes that many working days before the limit)")
        return {}
    if not 1 <= limit <= 365:
        raise DefinitionError(source, "supplement_limit_days", f"must be from 1 to 365 working days, got {limit}")
    if not 0 <= reminder < limit:
        raise DefinitionError(source, "supplement_reminder_days", f"must be from 0 to {limit - 1} "
                                                                  f"(before the limit of {limit} working days), got {reminder}")
    return {"supplement_limit_days": limit, "supplement_reminder_days": reminder}


def load_versions(directory: Path = CATALOGUE_DIR, office_hours: OfficeHours | None = None) -> dict[str, list[Procedure]]:
    """Every ``*.toml`` under ``directory``, validated, by code: its versions in order. Raises
    ``DefinitionError`` on the first bad file, or on versions of one code that overlap."""
    versions: dict[str, list[Procedure]] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DefinitionError(path.name, "(file)", f"not valid TOML: {exc}") from exc
        procedure = parse_procedure(data, path.name, office_hours=office_hours)
        same = versions.setdefault(procedure.code, [])
        clash = next((p for p in same if p.version == procedure.version), None)
        if clash is not None:
            raise DefinitionError(path.name, "code", f"duplicate code {procedure.code!r}, also in {clash.source} "
                                                     f"(version {procedure.version}; another version needs another number)")
        same.append(procedure)
    if not versions:
        raise DefinitionError(str(directory), "(folder)", "no procedure files found")
    return {code: check_versions(found) for code, found in versions.items()}


def load_catalogue(directory: Path = CATALOGUE_DIR, office_hours: OfficeHours | None = None) -> dict[str, Procedure]:
    """The latest version of every procedure under ``directory`` (``load_versions`` has them all)."""
    return {code: found[-1] for code, found in load_versions(directory, office_hours).items()}
