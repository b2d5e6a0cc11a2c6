"""Procedure diagrams as Mermaid ``stateDiagram-v2`` text, drawn in the page by the Mermaid library.

The text is written from the compiled ``transitions`` machine (its events and their transitions),
with the step names and action labels of the definition. ``transitions``' own Mermaid engine
(``GraphMachine(graph_engine="mermaid")``) draws the same edges — a test checks it — but it keeps one
graph per model: highlighting a dossier's step would need the dossier added to a machine, which the
engine never does. Here one function of (procedure, current step, passed steps) serves every page.
"""
from collections.abc import Iterable

from onestop.workflows.engine import Compiled

#: Mermaid class per kind of node; the current step and the steps passed win over the kind
CLASS_DEFS = {
    "current": "fill:#fde68a,stroke:#b45309,stroke-width:3px,color:#111,font-weight:bold",
    "passed": "fill:#dcfce7,stroke:#15803d,stroke-width:2px,color:#14532d",
    "supplement": "fill:#fff,stroke:#64748b,stroke-dasharray:4 3,color:#334155",
    "done": "fill:#fff,stroke:#166534,stroke-width:2px,color:#14532d",
    "stopped": "fill:#fff,stroke:#94a3b8,color:#475569",
}
_ESCAPES = str.maketrans({"#": "#35;", '"': "#quot;", ";": "#59;", "<": "#lt;", ">": "#gt;",
                          "{": "#123;", "}": "#125;", "\n": " "})


def node_id(step_key: str) -> str:
    """Mermaid id of a step (prefixed so a key can never be a Mermaid keyword such as ``end``)."""
    return f"s_{step_key}"


def _text(value: str) -> str:
    """Label text with Mermaid's entity codes for the characters its grammar reserves (it wraps by itself)."""
    return " ".join(value.split()).translate(_ESCAPES)


def edges(compiled: Compiled) -> dict[tuple[str, str], list[str]]:
    """(source step, target step) → action names, read from the compiled machine."""
    found: dict[tuple[str, str], list[str]] = {}
    order = {s.key: i for i, s in enumerate(compiled.procedure.steps)}
    for name, event in compiled.machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                found.setdefault((source, transition.dest), []).append(name)
    return dict(sorted(found.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])))


def mermaid(compiled: Compiled, current: str | None = None, passed: Iterable[str] = (),
            direction: str = "TB") -> str:
    """The procedure as ``stateDiagram-v2``; ``current`` is highlighted and ``passed`` marked."""
    procedure = compiled.procedure
    passed = set(passed) - {current}
    lines = ["stateDiagram-v2", f"  direction {direction}"]
    lines += [f"  classDef {name} {style}" for name, style in CLASS_DEFS.items()]
    for step in procedure.steps:
        lines.append(f'  state "{_text(step.name)}" as {node_id(step.key)}')
    lines.append(f"  [*] --> {node_id(procedure.start.key)}")
    for (source, target), names in edges(compiled).items():
        step = procedure.step(source)
        labels = " / ".join(str(step.action(n).label) for n in names)
        lines.append(f"  {node_id(source)} --> {node_id(target)}: {_text(labels)}")
    classes: dict[str, list[str]] = {}
    for step in procedure.steps:
        if step.key == current:
            name = "current"
        elif step.key in passed:
            name = "passed"
        elif step.kind == "supplement":
            name = "supplement"
        elif step.is_final:
            name = "done" if step.outcome == "done" else "stopped"
        else:
            continue
        classes.setdefault(name, []).append(node_id(step.key))
    lines += [f"  class {','.join(ids)} {name}" for name, ids in classes.items()]
    return "\n".join(lines) + "\n"


def passed_steps(events) -> list[str]:
    """Steps a dossier has stood at before its current one, from its event log (oldest first)."""
    seen: list[str] = []
    for event in events:
        for key in (event.from_step, event.to_step):
            if key and key not in seen:
                seen.append(key)
    return seen
