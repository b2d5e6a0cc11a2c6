"""The new keys of procedure files: fees, the procedure's own fields, filings on behalf, the look-up's
digits, the supplement limit and the e-result. Each mistake is refused with the file, the field and
the reason; what is declared computes and parses as the law and the file say."""
from datetime import date

import pytest

from onestop.core import clock
from onestop.workflows.definition import DefinitionError, parse_procedure
from onestop.workflows.fee_schedule import needs, quote
from tests.conftest import vn
from tests.workflows.test_definition import KNOWN, procedure_with, step

COPY_FEE = {"key": "certification", "name": "Phí chứng thực", "kind": "fee", "per": "page", "amount": 2000,
            "tiers": [{"from": 3, "amount": 1000}], "cap": 200000}


def parse(data):
    return parse_procedure(data, "test.toml", KNOWN)


def _refused(change, field: str, reason: str):
    with pytest.raises(DefinitionError) as refused:
        parse(procedure_with(change))
    assert refused.value.source == "test.toml"
    assert refused.value.field == field, str(refused.value)
    assert reason in refused.value.reason, str(refused.value)


# --- fees ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pages, copies, amount", [
    (1, 1, 2000), (2, 1, 4000), (3, 1, 5000), (5, 2, 14000),
    (198, 1, 200000),   # 2 × 2,000 + 196 × 1,000 = 200,000: the cap exactly
    (500, 1, 200000),   # capped
    (500, 3, 600000),   # the cap is per copy
])
def test_the_certified_copy_fee(pages, copies, amount):
    procedure = parse(procedure_with(lambda d: d.update(fees=[COPY_FEE])))
    assert quote(procedure.fees, pages=pages, copies=copies).total == amount
    assert needs(procedure.fees) == {"pages", "copies"}


def test_a_fee_per_copy_from_the_third_on_top_of_a_fixed_one():
    fees = [{"key": "record", "name": "Phí", "amount": 200000, "online_percent": 50},
            {"key": "extra", "name": "Từ phiếu thứ 3", "per": "copy", "amount": 0, "tiers": [{"from": 3, "amount": 5000}]}]
    procedure = parse(procedure_with(lambda d: d.update(fees=fees)))
    assert [quote(procedure.fees, copies=n).total for n in (1, 2, 3, 5)] == [200000, 200000, 205000, 215000]
    assert quote(procedure.fees, copies=5, online=True).total == 100000 + 15000
    assert needs(procedure.fees) == {"copies"}


def test_free_or_reduced_online_and_collected_at_return():
    fees = [{"key": "registration", "name": "Lệ phí", "amount": 100000, "online_percent": 0, "estimated": True,
             "source": "nghị quyết tỉnh khác"},
            {"key": "permit", "name": "Lệ phí cấp", "amount": 50000, "collect": "return"}]
    procedure = parse(procedure_with(lambda d: d.update(fees=fees)))
    at_desk, online = quote(procedure.fees), quote(procedure.fees, online=True)
    assert (at_desk.due("intake"), at_desk.due("return"), at_desk.estimated) == (100000, 50000, True)
    assert (online.due("intake"), online.due("return")) == (0, 50000)
    assert not quote(procedure.fees[1:]).estimated
    assert parse(procedure_with(lambda d: None)).fees == ()  # no [[fees]]: free


@pytest.mark.parametrize("fee, field, reason", [
    ({"name": "x", "amount": 1}, "fees[0].key", "lower_case"),
    ({"key": "a", "amount": 1}, "fees.a.name", "is missing"),
    ({"key": "a", "name": "x"}, "fees.a.amount", "is missing"),
    ({"key": "a", "name": "x", "amount": -5}, "fees.a.amount", "from 0 to"),
    ({"key": "a", "name": "x", "amount": 1.5}, "fees.a.amount", "whole number of đồng"),
    ({"key": "a", "name": "x", "amount": 10 ** 11}, "fees.a.amount", "from 0 to"),
    ({"key": "a", "name": "x", "amount": 1, "per": "pagee"}, "fees.a.per", "unknown per 'pagee'; known: dossier"),
    ({"key": "a", "name": "x", "amount": 1, "collect": "later"}, "fees.a.collect", "known: intake, return"),
    ({"key": "a", "name": "x", "amount": 1, "kind": "tax"}, "fees.a.kind", "known: charge, fee"),
    ({"key": "a", "name": "x", "amount": 1, "cap": 10}, "fees.a.cap", "a fixed fee"),
    ({"key": "a", "name": "x", "amount": 1, "tiers": [{"from": 3, "amount": 1}]}, "fees.a.tiers", "a fixed fee"),
    ({"key": "a", "name": "x", "amount": 100, "per": "page", "cap": 50}, "fees.a.cap", "less than one unit"),
    ({"key": "a", "name": "x", "amount": 2, "per": "page", "tiers": [{"from": 1, "amount": 1}]},
     "fees.a.tiers[0].from", "from 2 on"),
    ({"key": "a", "name": "x", "amount": 2, "per": "page", "tiers": [{"from": 3, "amount": 1}, {"from": 3, "amount": 0}]},
     "fees.a.tiers[1].from", "must come after 3"),
    ({"key": "a", "name": "x", "amount": 2, "per": "page", "tiers": [{"start": 3, "amount": 1}]},
     "fees.a.tiers[0]", "from = <unit>"),
    ({"key": "a", "name": "x", "amount": 1, "online_percent": 150}, "fees.a.online_percent", "0 to 100"),
    ({"key": "a", "name": "x", "amount": 1, "estimated": True}, "fees.a.source", "must say where its figure comes from"),
    ({"key": "a", "name": "x", "amount": 1, "amout": 2}, "fees.a.amout", "unknown field 'amout'"),
])
def test_a_wrong_fee_is_refused_with_the_field_and_the_reason(fee, field, reason):
    _refused(lambda d: d.update(fees=[fee]), field, reason)


def test_two_fees_with_one_key_are_refused():
    _refused(lambda d: d.update(fees=[COPY_FEE, COPY_FEE]), "fees.certification", "two fees share the key")


# --- the procedure's own fields ---------------------------------------------------------------------------

CHILD = [{"key": "child_name", "label": "Họ tên của trẻ", "type": "text", "required": True, "max_length": 50},
         {"key": "child_sex", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"], "required": True},
         {"key": "born", "label": "Ngày sinh", "type": "date", "max": "today", "required": True},
         {"key": "area", "label": "Diện tích", "type": "decimal", "unit": "m²", "min": 0.1, "decimals": 1},
         {"key": "floors", "label": "Số tầng", "type": "integer", "min": 1, "max": 100}]


def test_declared_fields_parse_what_a_clerk_types(app):
    procedure = parse(procedure_with(lambda d: d.update(fields=CHILD)))
    name, sex, born, area, floors = procedure.fields
    with app.test_request_context(), clock.frozen(vn(2026, 12, 7, 9)):
        assert name.parse("  Trần Minh Khang ") == "Trần Minh Khang"
        assert sex.parse("Nữ") == "Nữ"
        assert born.parse("02/11/2026") == "2026-11-02" and born.parse("2026-11-02") == "2026-11-02"
        assert born.parse("０２/１１/２０２６") == "2026-11-02"
        assert area.parse("86,5") == 86.5 and area.parse("1.234,56") == 1234.6 and area.parse("86.5") == 86.5
        assert floors.parse("٣") == 3 and floors.parse("") is None
        assert area.display(1234.5) == "1.234,5 m²" and born.display("2026-11-02") == "02/11/2026"
        for spec, typed, message in [
            (name, "", "Nhập họ tên của trẻ."), (name, "x" * 51, "Tối đa 50 ký tự."),
            (name, "An\x00", "ký tự điều khiển"), (sex, "Khác", "Chọn một trong: Nam, Nữ."),
            (born, "31/02/2026", "Ngày không hợp lệ"), (born, "01/01/2027", "Không sau ngày 07/12/2026"),
            (area, "0", "Không nhỏ hơn 0,1"), (area, "abc", "Nhập một số."), (area, "NaN", "Nhập một số."),
            (area, "9" * 500, "Nhập một số."), (floors, "2,5", "Nhập một số nguyên."),
            (floors, "101", "Không lớn hơn 100")]:
            with pytest.raises(ValueError) as refused:
                spec.parse(typed)
            assert message in str(refused.value), (spec.key, typed, str(refused.value))
        assert date.fromisoformat(born.parse("07/12/2026")) == date(2026, 12, 7)


@pytest.mark.parametrize("field, where, reason", [
    ({"label": "x", "type": "text"}, "fields[0].key", "lower_case"),
    ({"key": "a", "type": "text"}, "fields.a.label", "is missing"),
    ({"key": "a", "label": "x", "type": "textarea"}, "fields.a.type", "unknown type 'textarea'"),
    ({"key": "a", "label": "x", "type": "text", "choices": ["a", "b"]}, "fields.a.choices", "a text field takes no"),
    ({"key": "a", "label": "x", "type": "text", "colour": "red"}, "fields.a.colour", "unknown field 'colour'"),
    ({"key": "a", "label": "x", "type": "text", "max_length": 0}, "fields.a.max_length", "from 1 to 1000"),
    ({"key": "a", "label": "x", "type": "choice", "choices": ["a"]}, "fields.a.choices", "at least two"),
    ({"key": "a", "label": "x", "type": "choice", "choices": ["a", "a"]}, "fields.a.choices", "appears twice"),
    ({"key": "a", "label": "x", "type": "date", "max": "tomorrow"}, "fields.a.max", "\"YYYY-MM-DD\" or \"today\""),
    ({"key": "a", "label": "x", "type": "integer", "min": 5, "max": 1}, "fields.a.max", "below min"),
    ({"key": "a", "label": "x", "type": "integer", "min": "1"}, "fields.a.min", "must be a number"),
    ({"key": "a", "label": "x", "type": "decimal", "decimals": 9}, "fields.a.decimals", "from 0 to 6"),
    ({"key": "a", "label": "x", "type": "text", "required": "yes"}, "fields.a.required", "true/false"),
])
def test_a_wrong_field_is_refused_with_the_field_and_the_reason(field, where, reason):
    _refused(lambda d: d.update(fields=[field]), where, reason)


# --- filings on behalf, the look-up's digits --------------------------------------------------------------

def _authorisation(d, **extra):
    d["documents"].append({"key": "authorisation", "name": "Văn bản ủy quyền", "required": False,
                           "on_behalf": True, **extra})


def test_an_authorisation_is_required_only_when_someone_files_on_behalf():
    procedure = parse(procedure_with(_authorisation))
    assert procedure.takes_submitters
    assert [d.key for d in procedure.required_documents()] == ["application", "land_papers"]
    assert "Văn bản ủy quyền" in procedure.checklist_problem(["application", "land_papers"], on_behalf=True)
    assert procedure.checklist_problem(["application", "land_papers"]) is None
    assert not parse(procedure_with(lambda d: None)).takes_submitters


def test_an_on_behalf_document_cannot_be_required():
    _refused(lambda d: _authorisation(d, required=True), "documents[2].required", "required only then")


def test_lookup_by():
    assert parse(procedure_with(lambda d: None)).lookup_by == "either"
    assert parse(procedure_with(lambda d: d.update(lookup_by="applicant"))).lookup_by == "applicant"
    _refused(lambda d: d.update(lookup_by="owner"), "lookup_by", "known: applicant, submitter, either")
    _refused(lambda d: d.update(lookup_by="submitter"), "lookup_by", "needs filings on behalf")


# --- the supplement limit and the e-result ----------------------------------------------------------------

def _limit(d, days=30, reminder=None, stop=True):
    d["supplement_limit_days"] = days
    if reminder is not None:
        d["supplement_reminder_days"] = reminder
    if stop:
        step(d, "supplement")["actions"].append({"name": "stop", "to": "withdrawn"})


def test_a_supplement_limit_with_its_stop():
    procedure = parse(procedure_with(lambda d: _limit(d, reminder=3)))
    assert (procedure.supplement_limit_days, procedure.supplement_reminder_days) == (30, 3)
    assert procedure.step("supplement").action("stop").target == "withdrawn"


@pytest.mark.parametrize("change, field, reason", [
    (lambda d: _limit(d, stop=False), "steps.supplement.actions", "needs a 'stop' action"),
    (lambda d: _limit(d, days=0), "supplement_limit_days", "from 1 to 365"),
    (lambda d: _limit(d, reminder=30), "supplement_reminder_days", "from 0 to 29"),
    (lambda d: d.update(supplement_reminder_days=2), "supplement_reminder_days", "needs supplement_limit_days"),
    (lambda d: step(d, "supplement")["actions"].append({"name": "stop", "to": "withdrawn"}),
     "steps.supplement.actions.stop", "no supplement_limit_days"),
    (lambda d: (_limit(d, stop=False), step(d, "check")["actions"].append({"name": "stop", "to": "withdrawn"})),
     "steps.check.actions.stop", "only a supplement step"),
    (lambda d: (_limit(d, stop=False), step(d, "supplement")["actions"].append({"name": "stop", "to": "check"})),
     "steps.supplement.actions.stop.to", "is not a final step"),
    (lambda d: (_limit(d, stop=False), step(d, "supplement")["actions"].append(
        {"name": "stop", "to": "withdrawn", "role": "clerk"})), "steps.supplement.actions[1].name", "fired by the system"),
    (lambda d: d.update(e_result=True), "e_result", "no step has a 'sign' action"),
])
def test_a_wrong_limit_or_e_result_is_refused(change, field, reason):
    _refused(change, field, reason)


def test_the_stop_is_never_offered_to_a_person(app):
    from onestop.workflows.engine import Engine

    procedure = parse(procedure_with(lambda d: _limit(d)))
    offered = Engine({procedure.code: procedure}).actions_for_role(procedure, "supplement", "clerk")
    assert [a.name for a in offered] == ["supplement_received"]
