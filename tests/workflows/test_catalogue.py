"""The real catalogue: it loads, compiles, and every transition it declares works in the engine."""
import time
from dataclasses import dataclass, field

import pytest

from onestop.workflows.definition import ACTION_LABELS, CATALOGUE_DIR, OUTCOMES, load_catalogue, load_versions, parse_holder
from onestop.workflows.engine import ActionRefused, Engine

CATALOGUE = load_catalogue()
ENGINE = Engine(CATALOGUE)
NOTE = "Ghi chú của cán bộ"


@dataclass
class Case:
    """Stand-in for a dossier row: the three attributes the engine reads and writes."""
    procedure_code: str
    step: str
    documents: list[str] = field(default_factory=list)


def case_at(procedure, step_key: str, documents=None) -> Case:
    if documents is None:
        documents = [d.key for d in procedure.documents]
    return Case(procedure.code, step_key, list(documents))


TRANSITIONS = [
    pytest.param(p.code, s.key, a.name, a.target, id=f"{p.code}:{s.key}:{a.name}")
    for p in CATALOGUE.values() for s in p.steps for a in s.actions
]
FORBIDDEN = [
    pytest.param(p.code, s.key, name, id=f"{p.code}:{s.key}:{name}")
    for p in CATALOGUE.values() for s in p.steps
    for name in [n for n in ACTION_LABELS if s.action(n) is None][:2]
]


def test_catalogue_loads_and_compiles(record_property):
    started = time.perf_counter()
    catalogue = load_catalogue()
    loaded = time.perf_counter()
    engine = Engine(catalogue)
    compiled = time.perf_counter()
    record_property("catalogue_load_seconds", round(loaded - started, 4))
    record_property("engine_compile_seconds", round(compiled - loaded, 4))
    print(f"\n{len(catalogue)} procedures: loaded in {loaded - started:.3f} s, "
          f"compiled in {compiled - loaded:.3f} s")
    assert len(catalogue) >= 11
    assert sorted(p.code for p in engine.procedures()) == sorted(catalogue)
    for code, procedure in catalogue.items():
        machine = engine.compiled[code].machine
        assert set(machine.states) == {s.key for s in procedure.steps}
        assert machine.models == [], "a compiled machine must not hold models"


def test_every_level_of_the_demo_shape_has_procedures():
    versions = [p for found in load_versions().values() for p in found]
    assert {p.level for p in versions} == {"city", "department", "district", "ward"}
    assert "district" not in {p.level for p in CATALOGUE.values()}, "no district procedure since 1 July 2025"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_house_conventions(code):
    procedure = CATALOGUE[code]
    assert procedure.source.startswith(f"{code}-") and procedure.source.endswith(".toml")
    assert (CATALOGUE_DIR / procedure.source).is_file()
    start = procedure.start
    assert parse_holder(start.holder).kind == "desk" and start.role == "clerk", "dossiers are received at the desk"
    assert {s.outcome for s in procedure.steps if s.is_final} == set(OUTCOMES)
    for step in procedure.steps:
        if step.kind == "work" and not step.branch:
            # a 0 h work step would be overdue the moment it is entered
            assert step.hours > 0, step.key
        if step.kind == "supplement":
            assert step.holder == "desk" and step.hours == 0, step.key
            assert step.action("withdraw") is not None, f"{step.key}: the citizen can give up"
        if step.role == "clerk":
            assert parse_holder(step.holder).kind == "desk", f"{step.key}: only desks have clerks"
        for action in step.actions:
            if action.name in ("refuse", "send_back", "request_supplement"):
                assert "note_given" in action.guards, f"{step.key}.{action.name} needs a reason"
    assert any(a.name == "refuse" for s in procedure.steps for a in s.actions)
    assert any(a.name == "request_supplement" for s in procedure.steps for a in s.actions) or \
        procedure.code == "2.000815", "only same-day copy certification has no supplement branch"


@pytest.mark.parametrize(("code", "step_key", "action_name", "target"), TRANSITIONS)
def test_every_action_fires_to_its_target(code, step_key, action_name, target):
    procedure = CATALOGUE[code]
    case = case_at(procedure, step_key)
    source, landed = ENGINE.fire(case, action_name, NOTE)
    assert (source.key, landed.key) == (step_key, target)
    assert case.step == target


@pytest.mark.parametrize(("code", "step_key", "action_name"), FORBIDDEN)
def test_undefined_action_is_refused(code, step_key, action_name):
    procedure = CATALOGUE[code]
    case = case_at(procedure, step_key)
    with pytest.raises(ActionRefused, match=action_name):
        ENGINE.fire(case, action_name, NOTE)
    assert case.step == step_key


def test_a_final_step_refuses_everything():
    procedure = CATALOGUE["1.001193"]
    for final in (s for s in procedure.steps if s.is_final):
        case = case_at(procedure, final.key)
        for name in ACTION_LABELS:
            with pytest.raises(ActionRefused):
                ENGINE.fire(case, name, NOTE)
            assert case.step == final.key


def test_unknown_procedure_is_refused():
    with pytest.raises(ActionRefused, match="9.999999"):
        ENGINE.procedure("9.999999")


GUARDED_BY_DOCUMENTS = [
    pytest.param(p.code, s.key, a.name, id=f"{p.code}:{s.key}:{a.name}")
    for p in CATALOGUE.values() for s in p.steps for a in s.actions if "required_documents" in a.guards
]
GUARDED_BY_NOTE = [
    pytest.param(p.code, s.key, a.name, id=f"{p.code}:{s.key}:{a.name}")
    for p in CATALOGUE.values() for s in p.steps for a in s.actions if "note_given" in a.guards
]


def test_guards_are_used_in_every_procedure():
    for code in CATALOGUE:
        assert any(p.values[0] == code for p in GUARDED_BY_DOCUMENTS), code
        assert any(p.values[0] == code for p in GUARDED_BY_NOTE), code


@pytest.mark.parametrize(("code", "step_key", "action_name"), GUARDED_BY_DOCUMENTS)
def test_required_documents_refuses_with_the_missing_names(code, step_key, action_name):
    procedure = CATALOGUE[code]
    required = procedure.required_documents()
    assert required, "a guarded procedure must have required documents"
    missing, present = required[0], required[1:]
    optional = [d.key for d in procedure.documents if not d.required]
    case = case_at(procedure, step_key, [d.key for d in present] + optional)
    with pytest.raises(ActionRefused) as caught:
        ENGINE.fire(case, action_name, NOTE)
    message = str(caught.value)
    assert message.startswith("Còn thiếu giấy tờ bắt buộc: ")
    assert missing.name in message
    for document in present:
        assert document.name not in message
    assert case.step == step_key

    nothing = case_at(procedure, step_key, [])
    with pytest.raises(ActionRefused) as caught:
        ENGINE.fire(nothing, action_name, NOTE)
    assert all(d.name in str(caught.value) for d in required)
    assert nothing.step == step_key


def test_optional_documents_are_not_demanded():
    procedure = CATALOGUE["1.013978"]
    case = case_at(procedure, "reception", [d.key for d in procedure.required_documents()])
    assert len(case.documents) < len(procedure.documents)
    ENGINE.fire(case, "forward")
    assert case.step == "district_check"


@pytest.mark.parametrize(("code", "step_key", "action_name"), GUARDED_BY_NOTE)
@pytest.mark.parametrize("note", [None, "", "   \n"], ids=["none", "empty", "blank"])
def test_note_given_refuses_an_empty_note(code, step_key, action_name, note):
    procedure = CATALOGUE[code]
    case = case_at(procedure, step_key)
    with pytest.raises(ActionRefused, match="Cần ghi rõ lý do"):
        ENGINE.fire(case, action_name, note)
    assert case.step == step_key
