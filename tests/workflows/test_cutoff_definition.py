"""The optional ``cutoff = "HH:MM"`` of a procedure file: parsed, validated, set where the law says."""
from datetime import time

import pytest

from onestop.core.calendar import OfficeHours
from onestop.workflows.definition import load_catalogue, parse_procedure
from tests.workflows.test_definition import KNOWN, VALID, assert_message, procedure_with, refused

CATALOGUE = load_catalogue()


def test_a_procedure_without_a_cutoff_has_none():
    assert parse_procedure(procedure_with(lambda d: None), "x.toml", KNOWN).cutoff is None


@pytest.mark.parametrize(("text", "parsed"), [("15:00", time(15, 0)), ("11:30", time(11, 30)), ("07:31", time(7, 31)),
                                              ("16:45", time(16, 45))])
def test_a_cutoff_inside_office_hours_is_kept(text, parsed):
    assert parse_procedure(procedure_with(lambda d: d.update(cutoff=text)), "x.toml", KNOWN).cutoff == parsed


@pytest.mark.parametrize(("value", "reason"), [
    ("3pm", "'3pm' must be a time of day written HH:MM"),
    ("15h00", "must be a time of day written HH:MM"),
    ("15:0", "must be a time of day written HH:MM"),
    ("24:00", "must be a time of day written HH:MM"),
    ("06:00", "06:00 is outside office hours (07:30-11:30,13:00-17:00)"),
    ("07:30", "is outside office hours"),  # at the opening every dossier of the day would move
    ("12:15", "is outside office hours"),  # the lunch break
    ("18:00", "is outside office hours"),
    (1500, "must be text, got 1500"),
])
def test_a_bad_cutoff_is_refused_with_the_reason(value, reason):
    error = refused(procedure_with(lambda d: d.update(cutoff=value)))
    assert_message(error, "x.toml", "cutoff", reason)


def test_a_misspelt_key_is_refused():
    error = refused(procedure_with(lambda d: d.update(cut_off="15:00")))
    assert_message(error, "x.toml", "cut_off", "(did you mean 'cutoff'?)")


def test_other_office_hours_bound_it_too():
    hours = OfficeHours.parse("08:00-12:00,13:30-17:30")
    data = procedure_with(lambda d: d.update(cutoff="17:15"))
    assert parse_procedure(data, "x.toml", KNOWN, office_hours=hours).cutoff == time(17, 15)
    with pytest.raises(ValueError, match="outside office hours"):
        parse_procedure(data, "x.toml", KNOWN)
    assert VALID.get("cutoff") is None


def test_birth_and_death_registration_count_from_the_next_day_after_15_00():
    """PROCEDURES.md: birth registration (1.001193) and death registration (1.000656), filed after
    15:00, are returned on the next working day; no other procedure of the catalogue has a cut-off."""
    with_cutoff = {code: p.cutoff for code, p in CATALOGUE.items() if p.cutoff is not None}
    assert with_cutoff == {"1.001193": time(15, 0), "1.000656": time(15, 0)}
    for code in with_cutoff:
        notes = " ".join(CATALOGUE[code].notes.split())
        assert "cutoff = \"15:00\"" in notes
        assert "engine does not apply" not in notes and "applied by the engine yet" not in notes


def test_the_app_checks_the_cut_offs_against_its_configured_office_hours(app):
    from onestop import create_app
    from onestop.workflows.definition import DefinitionError
    with pytest.raises(DefinitionError, match="cutoff: 15:00 is outside office hours"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                    "ONESTOP_OFFICE_HOURS": "07:00-11:00,13:00-14:30"})
