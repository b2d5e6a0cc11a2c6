"""Procedure versions: one definition in force until a date, another from it; a dossier keeps the
version it was received under until it ends."""
from datetime import date

import pytest

from onestop.core import clock
from onestop.dossiers.operations import perform_action
from onestop.workflows.definition import DefinitionError, load_versions
from onestop.workflows.engine import engine
from tests.conftest import APPLICANT, vn
from tests.workflows.test_definition import _toml, _write

UNTIL = "version = 1\nin_force_until = 2025-06-30\n"
FROM = "version = 2\nin_force_from = 2025-07-01\n"


def test_two_versions_load_in_order_with_their_dates(tmp_path):
    _write(tmp_path, "1.1-old.toml", UNTIL + _toml("1.1"))
    _write(tmp_path, "1.1-new.toml", FROM + _toml("1.1"))
    found = load_versions(tmp_path)["1.1"]
    assert [(p.version, p.in_force_from, p.in_force_until) for p in found] == [
        (1, None, date(2025, 6, 30)), (2, date(2025, 7, 1), None)]


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    ("version = 1\nin_force_until = 2025-07-01\n", FROM, "in_force_from", "overlaps version 1"),
    ("version = 1\n", FROM, "in_force_until", "overlap"),
    (UNTIL, UNTIL, "code", "another version needs another number"),
    (UNTIL, "version = 2\nin_force_from = 2025-06-01\n", "in_force_from", "overlaps version 1"),
    (UNTIL, "version = 0\n", "version", "whole number from 1"),
    (UNTIL, 'version = 2\nin_force_from = "2025-07-01"\n', "in_force_from", "YYYY-MM-DD"),
    (UNTIL, "version = 2\nin_force_from = 2025-07-01\nin_force_until = 2025-01-01\n", "in_force_until", "before"),
])
def test_overlapping_or_bad_versions_are_refused(tmp_path, old, new, field, reason):
    _write(tmp_path, "1.1-a.toml", old + _toml("1.1"))
    _write(tmp_path, "1.1-b.toml", new + _toml("1.1"))
    with pytest.raises(DefinitionError) as caught:
        load_versions(tmp_path)
    assert caught.value.field == field and reason in caught.value.reason, str(caught.value)


def test_the_validator_lists_each_version_and_refuses_an_overlap(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-procedures"])
    assert result.exit_code == 0, result.output
    assert "1.001612" in result.output and "v1 … – 2025-06-30" in result.output and "v2 2025-07-01 – …" in result.output
    _write(tmp_path, "1.1-a.toml", "version = 1\n" + _toml("1.1"))
    _write(tmp_path, "1.1-b.toml", FROM + _toml("1.1"))
    result = runner.invoke(args=["check-procedures", str(tmp_path)])
    assert result.exit_code != 0 and "overlap" in result.output


def test_the_version_in_force_on_the_day_of_receipt_is_kept_until_the_end(db, user):
    with clock.frozen(vn(2025, 6, 30, 9)):
        old = _receive(user)
        assert old.procedure_version == 1
    with clock.frozen(vn(2025, 7, 1, 9)):
        new = _receive(user)
        assert new.procedure_version == 2
        assert engine().of(old).version == 1 and engine().of(old).level == "district"
        perform_action(old, user("hb.clerk"), "forward")
        perform_action(new, user("hb.clerk"), "forward")
    assert old.holder_agency.code == "HB" and old.step == "registry_check"
    assert engine().of(new).step(new.step).name.startswith("Phòng Kinh tế UBND xã")


def _receive(user):
    procedure = engine().receivable("1.001612")
    return perform_receive(user, procedure)


def perform_receive(user, procedure):
    from onestop.dossiers.operations import receive_dossier

    return receive_dossier(user("hb.clerk"), procedure_code=procedure.code, applicant=APPLICANT,
                           documents=[d.key for d in procedure.required_documents()],
                           details={"business_name": "Quán An", "business_address": "1 Minh Khai"})


def test_the_catalogue_page_shows_both_versions_with_their_dates(client, login_as):
    login_as("hb.officer")
    page = client.get("/procedures/1.001612").get_data(as_text=True)
    assert 'data-testid="versions"' in page and "30/06/2025" in page and "01/07/2025" in page
    old = client.get("/procedures/1.001612?version=1").get_data(as_text=True)
    assert "Phòng Tài chính - Kế hoạch quận" in old
    assert client.get("/procedures/1.001612?version=9").status_code == 404
