"""Procedure diagrams: Mermaid text written from the compiled machines, the same edges as
``transitions``' own Mermaid engine, the dossier's current step highlighted and passed steps marked."""
import re
from types import SimpleNamespace

import pytest
from transitions.extensions.diagrams import GraphMachine

from onestop.workflows.definition import parse_procedure
from onestop.workflows.diagrams import edges, mermaid, node_id, passed_steps
from onestop.workflows.engine import compile_procedure
from tests.workflows.test_catalogue import CATALOGUE, ENGINE
from tests.workflows.test_definition import KNOWN, procedure_with, step

EDGE = re.compile(r"^\s*(\w+) --> (\w+): (.*)$")


def transitions_edges(procedure) -> dict[tuple[str, str], list[str]]:
    """The edges ``transitions``' Mermaid engine draws for the procedure (a diagram-only machine)."""
    machine = GraphMachine(states=[s.key for s in procedure.steps], initial=procedure.start.key,
                           auto_transitions=False, graph_engine="mermaid")
    for s in procedure.steps:
        for a in s.actions:
            machine.add_transition(a.name, s.key, a.target)
    source = machine.get_graph().draw(None)
    assert "stateDiagram-v2" in source
    found = {}
    for line in source.splitlines():
        if match := EDGE.match(line):
            found[(match[1], match[2])] = sorted(match[3].split(" | "))
    return found


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_diagram_draws_every_step_and_every_action(code):
    compiled = ENGINE.compiled[code]
    procedure = compiled.procedure
    text = mermaid(compiled)
    assert text.startswith("stateDiagram-v2\n")
    for s in procedure.steps:
        assert f' as {node_id(s.key)}\n' in text
    assert f"[*] --> {node_id(procedure.start.key)}\n" in text
    drawn = {}
    for line in text.splitlines():
        if match := re.match(r"^\s*s_(\w+) --> s_(\w+): (.*)$", line):
            drawn[(match[1], match[2])] = match[3]
    declared = {(s.key, a.target) for s in procedure.steps for a in s.actions}
    assert set(drawn) == declared
    for s in procedure.steps:
        for a in s.actions:
            assert a.label.replace(";", "#59;").replace('"', "#quot;") in drawn[(s.key, a.target)]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_same_edges_as_the_transitions_mermaid_engine(code):
    ours = {pair: sorted(names) for pair, names in edges(ENGINE.compiled[code]).items()}
    assert ours == transitions_edges(CATALOGUE[code])


def test_current_step_highlighted_and_passed_steps_marked():
    compiled = ENGINE.compiled["1.013978"]
    text = mermaid(compiled, current="department_appraisal", passed=["reception", "district_check",
                                                                     "department_appraisal"])
    assert "  class s_department_appraisal current\n" in text
    assert "  class s_reception,s_district_check passed\n" in text
    assert "classDef current " in text and "classDef passed " in text
    assert not re.search(r"^\s*class \S+ (current|passed)$", mermaid(compiled), re.MULTILINE)


def test_labels_escape_what_mermaid_reserves():
    def odd(d):
        step(d, "check")["name"] = 'Thẩm định "hồ sơ"; #1 <gấp> {x}'
    compiled = compile_procedure(parse_procedure(procedure_with(odd), "x.toml", KNOWN))
    line = next(x for x in mermaid(compiled).splitlines() if x.endswith(" as s_check"))
    assert line == '  state "Thẩm định #quot;hồ sơ#quot;#59; #35;1 #lt;gấp#gt; #123;x#125;" as s_check'


def test_a_step_key_that_is_a_mermaid_keyword_is_safe():
    def keyword(d):
        d["steps"][-1]["key"] = "end"
        step(d, "reception")["actions"][1]["to"] = "end"
    compiled = compile_procedure(parse_procedure(procedure_with(keyword), "x.toml", KNOWN))
    assert "s_reception --> s_end: Rút hồ sơ" in mermaid(compiled)


def test_passed_steps_come_from_the_event_log():
    events = [SimpleNamespace(from_step=None, to_step="reception"),
              SimpleNamespace(from_step="reception", to_step="check"),
              SimpleNamespace(from_step="check", to_step="check"),  # an assignment or a consultation
              SimpleNamespace(from_step="check", to_step="supplement"),
              SimpleNamespace(from_step="supplement", to_step="check")]
    assert passed_steps(events) == ["reception", "check", "supplement"]
