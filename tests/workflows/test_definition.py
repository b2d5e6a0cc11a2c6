"""The validator of procedure files: every mistake is refused with the file, the field and the reason.

Each test takes a small valid procedure, breaks one thing and checks the message.
"""
import copy
from pathlib import Path

import pytest

from onestop.agencies.structure import Structure
from onestop.workflows.definition import DefinitionError, load_catalogue, parse_procedure

KNOWN = Structure(levels=("city", "department", "district", "ward"),
                  sectors=frozenset({"general", "land", "tax", "justice"}))


def _final(key: str, outcome: str) -> dict:
    return {"key": key, "name": key, "holder": "desk", "role": "clerk", "kind": "final", "outcome": outcome}


VALID = {
    "code": "9.999999",
    "name": "Thủ tục thử",
    "field": "Thử nghiệm",
    "level": "district",
    "service_level": 3,
    "budget_days": 2,
    "fee": "Không",
    "documents": [
        {"key": "application", "name": "Đơn đề nghị"},
        {"key": "land_papers", "name": "Giấy tờ về quyền sử dụng đất", "form": "certified_copy"},
    ],
    "steps": [
        {"key": "reception", "name": "Tiếp nhận", "holder": "desk", "role": "clerk", "hours": 4,
         "actions": [{"name": "forward", "to": "check", "guards": ["required_documents"]},
                     {"name": "withdraw", "to": "withdrawn"}]},
        {"key": "check", "name": "Thẩm định", "holder": "sector:land", "role": "officer", "hours": 8,
         "actions": [{"name": "forward", "to": "result"},
                     {"name": "request_supplement", "to": "supplement", "guards": ["note_given"]},
                     {"name": "refuse", "to": "refused", "guards": ["note_given"]}]},
        {"key": "result", "name": "Trả kết quả", "holder": "desk", "role": "clerk", "hours": 4,
         "actions": [{"name": "return_result", "to": "done"}]},
        {"key": "supplement", "name": "Chờ bổ sung", "holder": "desk", "role": "clerk", "kind": "supplement",
         "actions": [{"name": "supplement_received", "to": "check"}]},
        _final("done", "done"),
        _final("refused", "refused"),
        _final("withdrawn", "withdrawn"),
    ],
}


def procedure_with(change) -> dict:
    """A deep copy of ``VALID`` after ``change(data)`` (a function that mutates it)."""
    data = copy.deepcopy(VALID)
    change(data)
    return data


def step(data: dict, key: str) -> dict:
    return next(s for s in data["steps"] if s["key"] == key)


def action(data: dict, step_key: str, name: str) -> dict:
    return next(a for a in step(data, step_key)["actions"] if a["name"] == name)


def refused(data: dict) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        parse_procedure(data, "x.toml", KNOWN)
    return caught.value


def assert_message(error: DefinitionError, source: str, field: str, *reason: str) -> None:
    message = str(error)
    assert error.source == source and error.field == field, message
    assert message.startswith(f"{source}: {field}: "), message
    for fragment in reason:
        assert fragment in message, message


def test_the_valid_base_parses():
    procedure = parse_procedure(copy.deepcopy(VALID), "x.toml", KNOWN)
    assert procedure.code == "9.999999"
    assert [s.key for s in procedure.steps][:3] == ["reception", "check", "result"]
    assert procedure.budget_hours == 16
    assert procedure.step("check").action("forward").target == "result"
    assert [d.key for d in procedure.required_documents()] == ["application", "land_papers"]


def test_unknown_agency_in_holder():
    error = refused(procedure_with(lambda d: step(d, "check").update(holder="ministry:finance")))
    assert_message(error, "x.toml", "steps.check.holder", "unknown agency 'ministry:finance'")


def test_unknown_sector_in_holder():
    error = refused(procedure_with(lambda d: step(d, "check").update(holder="sector:fisheries")))
    assert_message(error, "x.toml", "steps.check.holder", "unknown agency 'sector:fisheries'")


def test_unknown_level_in_holder():
    error = refused(procedure_with(lambda d: step(d, "check").update(holder="level:province")))
    assert_message(error, "x.toml", "steps.check.holder", "unknown agency 'level:province'")


def test_unknown_role_of_a_step():
    error = refused(procedure_with(lambda d: step(d, "check").update(role="director")))
    assert_message(error, "x.toml", "steps.check.role", "unknown role 'director'")


def test_unknown_role_of_an_action():
    error = refused(procedure_with(lambda d: action(d, "check", "refuse").update(role="minister")))
    assert_message(error, "x.toml", "steps.check.actions[2].role", "unknown role 'minister'")


def test_unknown_action_name():
    error = refused(procedure_with(lambda d: action(d, "check", "forward").update(name="escalate")))
    assert_message(error, "x.toml", "steps.check.actions[0].name", "unknown action 'escalate'")


def test_unknown_guard():
    error = refused(procedure_with(lambda d: action(d, "check", "refuse").update(guards=["fee_paid"])))
    assert_message(error, "x.toml", "steps.check.actions[2].guards", "unknown guard 'fee_paid'")


def test_unknown_action_target():
    error = refused(procedure_with(lambda d: action(d, "check", "forward").update(to="city_sign")))
    assert_message(error, "x.toml", "steps.check.actions.forward.to", "unknown step 'city_sign'")


def test_unreachable_step():
    orphan = {"key": "orphan", "name": "Bước bị bỏ quên", "holder": "desk", "role": "clerk", "branch": True,
              "hours": 4, "actions": [{"name": "forward", "to": "done"}]}
    error = refused(procedure_with(lambda d: d["steps"].insert(3, orphan)))
    assert_message(error, "x.toml", "steps.orphan", "unreachable from the first step")


def test_step_with_no_way_out():
    error = refused(procedure_with(lambda d: step(d, "result").update(actions=[])))
    assert_message(error, "x.toml", "steps.result.actions", "no way out")


def test_step_that_cannot_reach_an_end():
    def loop(d):
        # the supplement step can only go back to itself: entered, it never finishes
        action(d, "supplement", "supplement_received").update(to="supplement")
    error = refused(procedure_with(loop))
    assert_message(error, "x.toml", "steps.supplement", "no path from this step to an end")


def test_budget_not_adding_up():
    error = refused(procedure_with(lambda d: d.update(budget_days=3)))
    assert_message(error, "x.toml", "steps.hours", "add up to 16 h", "3 working days = 24 h")


def test_branch_steps_are_left_out_of_the_budget():
    def rework(d):
        d["steps"].insert(3, {"key": "rework", "name": "Làm lại", "holder": "sector:land", "hours": 40,
                              "branch": True, "actions": [{"name": "forward", "to": "result"}]})
        step(d, "check")["actions"].append({"name": "send_back", "to": "rework", "guards": ["note_given"]})
    procedure = parse_procedure(procedure_with(rework), "x.toml", KNOWN)
    assert procedure.step("rework").branch and procedure.budget_hours == 16
    # the same step without the branch mark breaks the budget
    def counted(d):
        rework(d)
        step(d, "rework")["branch"] = False
    assert_message(refused(procedure_with(counted)), "x.toml", "steps.hours", "add up to 56 h")


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _toml(code: str, name: str = "Thủ tục") -> str:
    return f'''code = "{code}"
name = "{name}"
field = "Thử"
level = "ward"
service_level = 2
budget_days = 0.5

[[documents]]
key = "application"
name = "Đơn"

[[steps]]
key = "reception"
name = "Tiếp nhận"
holder = "desk"
role = "clerk"
hours = 4
actions = [{{ name = "return_result", to = "done" }}]

[[steps]]
key = "done"
name = "Xong"
holder = "desk"
kind = "final"
outcome = "done"
'''


def test_a_valid_folder_loads(tmp_path):
    _write(tmp_path, "1.1-a.toml", _toml("1.1"))
    _write(tmp_path, "1.2-b.toml", _toml("1.2"))
    assert sorted(load_catalogue(tmp_path)) == ["1.1", "1.2"]


def test_duplicate_code_across_two_files(tmp_path):
    _write(tmp_path, "1.1-first.toml", _toml("1.1", "Thủ tục thứ nhất"))
    _write(tmp_path, "1.1-second.toml", _toml("1.1", "Thủ tục thứ hai"))
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(tmp_path)
    assert_message(caught.value, "1.1-second.toml", "code", "duplicate code '1.1'", "also in 1.1-first.toml")


def test_bad_toml(tmp_path):
    _write(tmp_path, "1.1-good.toml", _toml("1.1"))
    _write(tmp_path, "1.2-broken.toml", _toml("1.2").replace('name = "Đơn"', 'name = "Đơn'))
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(tmp_path)
    assert_message(caught.value, "1.2-broken.toml", "(file)", "not valid TOML")


def test_empty_folder(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(tmp_path)
    assert_message(caught.value, str(tmp_path), "(folder)", "no procedure files found")


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.pop("name"), "name"),
    (lambda d: d.pop("budget_days"), "budget_days"),
    (lambda d: d.pop("steps"), "steps"),
    (lambda d: step(d, "check").pop("holder"), "steps.check.holder"),
    (lambda d: step(d, "check").pop("name"), "steps.check.name"),
    (lambda d: d["steps"][0].pop("key"), "steps[0].key"),
    (lambda d: action(d, "check", "forward").pop("to"), "steps.check.actions[0].to"),
    (lambda d: d["documents"][1].pop("name"), "documents[1].name"),
], ids=["name", "budget_days", "steps", "step-holder", "step-name", "step-key", "action-to", "document-name"])
def test_missing_field(change, field):
    assert_message(refused(procedure_with(change)), "x.toml", field, "is missing")


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda d: d.update(budget_days="ba ngày"), "budget_days", "must be a whole number or a number, got 'ba ngày'"),
    (lambda d: d.update(service_level="3"), "service_level", "must be a whole number, got '3'"),
    (lambda d: d.update(service_level=True), "service_level", "must be a whole number, not a boolean"),
    (lambda d: d.update(code=1001193), "code", "must be text"),
    (lambda d: d.update(documents={"application": "Đơn"}), "documents", "must be a list"),
    (lambda d: step(d, "check").update(hours="12"), "steps.check.hours", "must be a whole number or a number"),
    (lambda d: step(d, "check").update(branch="yes"), "steps.check.branch", "must be true/false"),
    (lambda d: action(d, "check", "refuse").update(guards="note_given"), "steps.check.actions[2].guards",
     "must be a list"),
    (lambda d: d["documents"][0].update(copies=2.0), "documents[0].copies", "must be a whole number"),
    (lambda d: d["documents"][0].update(required="no"), "documents[0].required", "must be true/false"),
], ids=["budget-text", "service-level-text", "service-level-bool", "code-number", "documents-table",
        "hours-text", "branch-text", "guards-text", "copies-float", "required-text"])
def test_wrong_type(change, field, reason):
    assert_message(refused(procedure_with(change)), "x.toml", field, reason)


def test_bad_level():
    error = refused(procedure_with(lambda d: d.update(level="province")))
    assert_message(error, "x.toml", "level", "unknown level 'province'", "city, department, district, ward")


@pytest.mark.parametrize("value", [1, 5, 0])
def test_bad_service_level(value):
    assert_message(refused(procedure_with(lambda d: d.update(service_level=value))),
                   "x.toml", "service_level", "must be 2, 3 or 4")


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda d: step(d, "check").update(kind="parallel"), "steps.check.kind", "unknown kind 'parallel'"),
    (lambda d: step(d, "done").pop("outcome"), "steps.done.outcome", "a final step needs outcome"),
    (lambda d: step(d, "done").update(outcome="archived"), "steps.done.outcome", "a final step needs outcome"),
    (lambda d: step(d, "check").update(hours=-1), "steps.check.hours", "cannot be negative"),
    (lambda d: step(d, "check").update(key="Check"), "steps[1].key", "lower_case_with_underscores"),
    (lambda d: d["documents"][1].update(key="application"), "documents", "two documents share a key"),
    (lambda d: step(d, "check")["actions"].append({"name": "forward", "to": "done"}),
     "steps.check.actions[3].name", "appears twice in step 'check'"),
    (lambda d: step(d, "result").update(key="check"), "steps", "two steps share a key"),
    (lambda d: d.update(steps=[]), "steps", "at least one step"),
    (lambda d: d["steps"].insert(0, d["steps"].pop(4)), "steps.done", "the first step cannot be final"),
    (lambda d: step(d, "done").update(actions=[{"name": "withdraw", "to": "withdrawn"}]),
     "steps.done.actions", "a final step has no actions"),
    (lambda d: step(d, "done").update(outcome="withdrawn"), "steps", "no final step with outcome 'done'"),
], ids=["kind", "final-without-outcome", "final-bad-outcome", "negative-hours", "step-key-case",
        "duplicate-document", "duplicate-action", "duplicate-step", "no-steps", "final-first",
        "final-with-actions", "no-done"])
def test_other_structural_errors(change, field, reason):
    assert_message(refused(procedure_with(change)), "x.toml", field, reason)


@pytest.mark.parametrize(("change", "field", "reason"), [
    (lambda d: d.update(budjet_days=d.pop("budget_days")), "budjet_days",
     "unknown field 'budjet_days' (did you mean 'budget_days'?)"),
    (lambda d: d.update(checklist=[]), "checklist", "unknown field 'checklist'; known: code, name"),
    (lambda d: d["documents"][0].update(optional=True), "documents[0].optional", "unknown field 'optional'"),
    (lambda d: step(d, "check").update(hour=8), "steps.check.hour", "unknown field 'hour' (did you mean 'hours'?)"),
    (lambda d: step(d, "check").update(deadline_days=1), "steps.check.deadline_days", "unknown field 'deadline_days'"),
    (lambda d: action(d, "check", "refuse").update(guard=["note_given"]), "steps.check.actions[2].guard",
     "unknown field 'guard' (did you mean 'guards'?)"),
    (lambda d: action(d, "check", "forward").update(target="result"), "steps.check.actions[0].target",
     "unknown field 'target'; known: name, to, guards, role, label"),
], ids=["top-typo", "top-unknown", "document", "step-typo", "step-unknown", "action-typo", "action-unknown"])
def test_unknown_field_is_refused(change, field, reason):
    assert_message(refused(procedure_with(change)), "x.toml", field, reason)


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["documents"].append("Đơn đề nghị"), "documents[2]"),
    (lambda d: d["steps"].append("done"), "steps[7]"),
    (lambda d: step(d, "check")["actions"].append("forward"), "steps.check.actions[3]"),
], ids=["document", "step", "action"])
def test_an_entry_that_is_not_a_table(change, field):
    assert_message(refused(procedure_with(change)), "x.toml", field, "must be a table")


def test_work_step_with_zero_hours():
    error = refused(procedure_with(lambda d: step(d, "check").update(hours=0)))
    assert_message(error, "x.toml", "steps.check.hours", "more than 0 working hours", "overdue the moment")


def test_work_step_without_hours():
    error = refused(procedure_with(lambda d: step(d, "check").pop("hours")))
    assert_message(error, "x.toml", "steps.check.hours", "is missing")


def test_a_branch_work_step_needs_hours_too():
    def rework(d):
        d["steps"].insert(3, {"key": "rework", "name": "Làm lại", "holder": "sector:land", "hours": 0,
                              "branch": True, "actions": [{"name": "forward", "to": "result"}]})
        step(d, "check")["actions"].append({"name": "send_back", "to": "rework", "guards": ["note_given"]})
    assert_message(refused(procedure_with(rework)), "x.toml", "steps.rework.hours", "more than 0 working hours")


def test_supplement_and_final_steps_need_no_hours():
    procedure = parse_procedure(copy.deepcopy(VALID), "x.toml", KNOWN)
    assert procedure.step("supplement").hours == 0 and procedure.step("done").hours == 0


def test_unknown_field_in_a_file_names_the_file(tmp_path):
    _write(tmp_path, "1.1-typo.toml", _toml("1.1").replace("budget_days = 0.5", "budjet_days = 0.5"))
    with pytest.raises(DefinitionError) as caught:
        load_catalogue(tmp_path)
    assert_message(caught.value, "1.1-typo.toml", "budjet_days", "unknown field", "did you mean 'budget_days'?")
