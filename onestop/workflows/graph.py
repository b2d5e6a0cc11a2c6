"""The checks of a procedure that look at its steps as a whole: every step reachable and able to
finish, the budget adding up, and what the optional keys need of the steps (a ``stop`` out of
every supplement step for a supplement limit, a ``sign`` for a required e-result)."""
from collections import deque
from typing import TYPE_CHECKING

from onestop.workflows.errors import DefinitionError

if TYPE_CHECKING:
    from onestop.workflows.definition import Procedure


def check_features(p: "Procedure") -> None:
    """What the optional keys need of the steps: a ``stop`` out of every supplement step for a
    supplement limit, a ``sign`` action for a required e-result."""
    src = p.source
    for step in p.steps:
        stop = step.action("stop")
        if stop is not None and step.kind != "supplement":
            raise DefinitionError(src, f"steps.{step.key}.actions.stop", "'stop' ends a dossier whose supplement is "
                                                                         "overdue: only a supplement step has it")
        if stop is not None and not p.step(stop.target).is_final:
            raise DefinitionError(src, f"steps.{step.key}.actions.stop.to", f"{stop.target!r} is not a final step")
        if stop is not None and p.supplement_limit_days is None:
            raise DefinitionError(src, f"steps.{step.key}.actions.stop", "no supplement_limit_days: nothing would "
                                                                         "ever fire it")
        if step.kind == "supplement" and p.supplement_limit_days is not None and stop is None:
            raise DefinitionError(src, f"steps.{step.key}.actions", "supplement_limit_days needs a 'stop' action "
                                                                    "(to a final step) here, fired when the limit passes")
    if p.e_result and not any(step.action("sign") for step in p.steps):
        raise DefinitionError(src, "e_result", "no step has a 'sign' action, where the signed result is uploaded")


def check_graph(p: "Procedure") -> None:
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
