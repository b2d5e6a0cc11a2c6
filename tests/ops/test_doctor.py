"""``onestop doctor``: every check says what is wrong and what to do, and any problem exits with 1."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onestop.ops import doctor
from onestop.workflows.definition import CATALOGUE_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(app):
    """A copy of the app's settings for one check to spoil."""
    return dict(app.config)


@pytest.fixture
def strong_key(app, monkeypatch):
    """The tests' own key is short: a server-mode instance would rightly be refused with it."""
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-long-random-secret-key-for-the-doctor-tests")


def problems(findings) -> list[str]:
    return [f.line() for f in findings if f.level == doctor.PROBLEM]


def test_the_test_instance_is_ready_to_start(app, strong_key):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    count = len(list(CATALOGUE_DIR.glob("*.toml")))
    assert f"ok       catalogue: {count} procedures valid" in result.output
    assert "ok       database: reachable, schema up to date" in result.output
    assert result.output.rstrip().endswith("ready to start")


def test_a_problem_makes_the_command_fail(app, strong_key, monkeypatch):
    monkeypatch.setitem(app.config, "ONESTOP_LOG_FORMAT", "xml")
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "PROBLEM  logs: ONESTOP_LOG_FORMAT='xml': write json or text" in result.output
    assert "1 problem, " in result.output and "ready to start" not in result.output


def test_an_unknown_option_is_a_usage_error(app):
    result = app.test_cli_runner().invoke(args=["doctor", "--fix"])
    assert result.exit_code == 2 and "No such option '--fix'" in result.output


@pytest.mark.parametrize("key", ["dev-only-change-me", "", "short-key"])
def test_the_secret_key_must_be_set_on_a_server(settings, key):
    settings.update(SECRET_KEY=key, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@db/onestop")
    found = problems(doctor.check_secret(settings))
    assert len(found) == 1 and "set ONESTOP_SECRET_KEY to a long random value, the same on every machine" in found[0]


def test_the_default_key_is_only_a_warning_on_a_laptop(settings):
    settings.update(SECRET_KEY="dev-only-change-me", SQLALCHEMY_DATABASE_URI="sqlite:///x.db")
    assert [f.level for f in doctor.check_secret(settings)] == [doctor.WARNING]


def test_server_mode_needs_a_broker_too(settings):
    settings.update(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@db/onestop",
                    CELERY={**settings["CELERY"], "broker_url": "filesystem://"})
    assert "ONESTOP_DATABASE_URL is set but ONESTOP_BROKER_URL is not" in problems(doctor.check_modes(settings))[0]


@pytest.mark.parametrize("hours, says", [
    ("07:30-25:00", "invalid time '25:00'"),
    ("13:00-17:00,07:30-11:30", "list periods in ascending order"),
    ("", "office hours are empty"),
])
def test_office_hours_are_explained(settings, hours, says):
    settings["ONESTOP_OFFICE_HOURS"] = hours
    found = problems(doctor.check_office_hours_and_catalogue(settings))
    assert len(found) == 1 and says in found[0] and "e.g. 07:30-11:30,13:00-17:00" in found[0]


def test_a_cut_off_outside_office_hours_names_the_file(settings):
    settings["ONESTOP_OFFICE_HOURS"] = "07:00-11:00,13:00-14:30"
    found = problems(doctor.check_office_hours_and_catalogue(settings))
    assert len(found) == 1
    assert "catalogue: 1.000656-dang-ky-khai-tu.toml, cut-off: 15:00 is outside office hours" in found[0]
    assert "correct that file" in found[0]


def test_a_broken_procedure_file_is_named(settings, tmp_path):
    (tmp_path / "broken.toml").write_text('code = "9.999"\nname = "x"\n[[steps]]\nkey = ', encoding="utf-8")
    settings["ONESTOP_CATALOGUE_DIR"] = str(tmp_path)
    found = problems(doctor.check_office_hours_and_catalogue(settings))
    assert len(found) == 1 and "broken.toml, (file): not valid TOML" in found[0]


def test_missing_time_zone_data_are_named(settings, monkeypatch):
    import zoneinfo

    def missing(key):
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(doctor.zoneinfo, "ZoneInfo", missing)
    assert "apt-get install tzdata" in problems(doctor.check_timezone(settings))[0]


def test_a_missing_slip_font_is_named(settings, monkeypatch):
    monkeypatch.setattr(doctor, "SLIP_FONT", "No Such Font Family")
    assert "apt-get install fonts-dejavu-core" in problems(doctor.check_fonts(settings))[0]


@pytest.mark.parametrize("change, says", [
    ({"ONESTOP_MAIL_FROM": "Một cửa"}, "has no e-mail address"),
    ({"ONESTOP_SMTP_HOST": "127.0.0.1", "ONESTOP_SMTP_PORT": 70000}, "is not a port"),
    ({"ONESTOP_SMTP_HOST": "127.0.0.1", "ONESTOP_SMTP_USER": "desk"}, "without ONESTOP_SMTP_PASSWORD"),
    ({"ONESTOP_BASE_URL": "motcua.example.gov.vn"}, "is not a web address"),
    ({"ONESTOP_MAIL_DIR": "/proc/onestop-mail"}, "cannot be written"),
])
def test_mail_settings_are_explained(settings, change, says):
    settings.update(change)
    found = problems(doctor.check_mail(settings))
    assert len(found) == 1 and says in found[0]


def test_an_smtp_server_that_does_not_answer_is_a_warning(settings):
    settings.update(ONESTOP_SMTP_HOST="127.0.0.1", ONESTOP_SMTP_PORT=1, ONESTOP_BASE_URL="https://motcua.example.gov.vn")
    found = doctor.check_mail(settings)
    assert [f.level for f in found] == [doctor.WARNING] and "does not answer now" in found[0].message


@pytest.mark.parametrize("change, says", [
    ({"ONESTOP_METRICS_ALLOW": ("10.0.0.0/33",)}, "not an address or network"),
    ({"ONESTOP_SENTRY_DSN": "not a dsn"}, "ONESTOP_SENTRY_DSN is not a DSN"),
    ({"ONESTOP_LOG_LEVEL": "LOUD"}, "write DEBUG, INFO, WARNING or ERROR"),
])
def test_operations_settings_are_explained(settings, change, says):
    settings.update(change)
    assert says in problems(doctor.check_operations(settings))[0]


def test_an_unwritable_attachments_folder_is_named(settings):
    settings["ONESTOP_ATTACHMENT_DIR"] = "/proc/onestop-attachments"
    assert "cannot be written" in problems(doctor.check_storage(settings))[0]


def test_a_database_that_cannot_be_reached_is_named(settings):
    settings["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    found = problems(doctor.check_database(settings))
    assert len(found) == 1 and "cannot connect" in found[0] and "check ONESTOP_DATABASE_URL" in found[0]
    assert "nobody" not in found[0]


def test_a_database_behind_the_code_is_told_to_upgrade(settings, tmp_path):
    settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'new.db'}"
    assert problems(doctor.check_database(settings)) == [
        f"PROBLEM  database: there is no database at {tmp_path / 'new.db'} yet: run `flask --app onestop db upgrade`"]
    assert not (tmp_path / "new.db").exists()
    import sqlite3

    sqlite3.connect(tmp_path / "old.db").execute("CREATE TABLE alembic_version (version_num VARCHAR(32))").connection.commit()
    settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'old.db'}"
    assert "the schema is at nothing yet, this version needs the latest migrations: run `flask --app onestop db upgrade`" \
        in problems(doctor.check_database(settings))[0]


def _standalone(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ONESTOP_")}
    return subprocess.run([sys.executable, "-m", "onestop.ops.doctor"], cwd=ROOT, capture_output=True, text=True,
                          env={**environment, **env}, timeout=120)


def test_without_the_app_it_explains_what_keeps_the_app_from_starting(tmp_path):
    done = _standalone(ONESTOP_INSTANCE_PATH=str(tmp_path), ONESTOP_OFFICE_HOURS="7:30-11:30;13:00-17:00")
    assert done.returncode == 1
    assert "PROBLEM  office hours: ONESTOP_OFFICE_HOURS='7:30-11:30;13:00-17:00' is not valid" in done.stdout
    done = _standalone(ONESTOP_INSTANCE_PATH=str(tmp_path), ONESTOP_SMTP_PORT="twenty-five")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "PROBLEM  settings: ONESTOP_SMTP_PORT='twenty-five' is not a whole number: set it to a whole number, or unset it",
        "1 problem, 0 warnings"]


def test_every_number_setting_of_the_app_is_checked():
    """A number setting added to ``config.py`` is added to the doctor's list too."""
    import re

    source = (ROOT / "onestop" / "config.py").read_text(encoding="utf-8")
    read_as_numbers = set(re.findall(r'(?:int|float|_optional_int)\(env\("(ONESTOP_[A-Z_]+)"', source))
    assert read_as_numbers and read_as_numbers <= set(doctor.NUMBERS)
