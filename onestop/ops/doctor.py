"""``onestop doctor``: the configuration checked before the processes start, with what to fix in plain words.

Each check gives ``ok``, a ``warning`` (works, but probably not what you want) or a ``PROBLEM`` (fix it
before starting); any problem makes the command exit with 1. It reads the settings only, from the
environment as the app does, and changes nothing.

When the app itself cannot start (a bad catalogue or office hours stop ``create_app``, and with it every
``flask`` command), the same checks run without it::

    python -m onestop.ops.doctor
"""
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

OK, WARNING, PROBLEM = "ok", "warning", "PROBLEM"
DEFAULT_SECRET = "dev-only-change-me"
SLIP_FONT = "DejaVu Serif"
#: settings read as numbers (``onestop/config.py``, ``ops/settings.py``); "" or "off" allowed where marked
NUMBERS = {
    "ONESTOP_CLOCK_OFFSET_HOURS": float, "ONESTOP_DUE_SOON_HOURS": float, "ONESTOP_REMIND_DUE_SOON_PERCENT": int,
    "ONESTOP_ESCALATE_DAYS": "optional", "ONESTOP_ESCALATE_PARENT_DAYS": "optional",
    "ONESTOP_REMIND_MAX_OVERDUE_DAYS": int, "ONESTOP_EXTENSION_WINDOW_HOURS": float, "ONESTOP_SMTP_PORT": int,
    "ONESTOP_SMTP_TIMEOUT": float, "ONESTOP_MAIL_BATCH": int, "ONESTOP_MAIL_LEASE_MINUTES": float,
    "ONESTOP_ATTACHMENT_MAX_MB": float, "ONESTOP_ATTACHMENT_MAX_FILES": int, "ONESTOP_PROXY_HOPS": int,
    "ONESTOP_SESSION_IDLE_MINUTES": float, "ONESTOP_LOGIN_MAX_FAILURES": int,
    "ONESTOP_LOGIN_MAX_FAILURES_PER_ADDRESS": int, "ONESTOP_LOGIN_WINDOW_MINUTES": float,
    "ONESTOP_LOGIN_LOCKOUT_MINUTES": float, "ONESTOP_WEBHOOK_BACKOFF_SECONDS": float, "ONESTOP_WEBHOOK_RETRY_HOURS": float,
    "ONESTOP_METRICS_CACHE_SECONDS": float, "ONESTOP_HEARTBEAT_SECONDS": float, "ONESTOP_PICKUP_REMINDER_DAYS": int,
    "ONESTOP_READY_HEARTBEAT_MAX_AGE": float, "ONESTOP_READY_OUTBOX_MAX_AGE": float, "ONESTOP_READY_TIMEOUT": float,
    "ONESTOP_PUBLISH_TIMEOUT": float, "ONESTOP_PUBLISH_PAUSE_SECONDS": float,
    "ONESTOP_REROUTE_GRACE_SECONDS": float, "ONESTOP_REROUTE_EVERY_SECONDS": float,
    "ONESTOP_BROKER_VISIBILITY_TIMEOUT": int,
}


@dataclass(frozen=True)
class Finding:
    level: str
    topic: str
    message: str

    def line(self) -> str:
        return f"{self.level:<8} {self.topic}: {self.message}"


def check_numbers(env: Mapping[str, str]) -> list[Finding]:
    bad = []
    for name, kind in NUMBERS.items():
        value = env.get(name)
        if value is None:
            continue
        try:
            if kind == "optional":
                if value.strip().lower() not in ("", "off", "none"):
                    int(value)
            else:
                kind(value)
        except ValueError:
            what = "a whole number" if kind in (int, "optional") else "a number"
            bad.append(Finding(PROBLEM, "settings", f"{name}={value!r} is not {what}: set it to "
                                                    f"{what}{' (or off)' if kind == 'optional' else ''}, or unset it"))
    return bad or [Finding(OK, "settings", "every number setting is a number")]


def _server_mode(config: Mapping) -> bool:
    return not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")


def check_modes(config: Mapping) -> list[Finding]:
    broker = config["CELERY"]["broker_url"]
    if _server_mode(config) and broker.startswith("filesystem://"):
        return [Finding(PROBLEM, "mode", "ONESTOP_DATABASE_URL is set but ONESTOP_BROKER_URL is not: on a server set "
                                         "both (a Redis URL such as redis://redishost:6379/0), the same on every machine")]
    if not _server_mode(config) and not broker.startswith("filesystem://"):
        return [Finding(WARNING, "mode", "ONESTOP_BROKER_URL is set but ONESTOP_DATABASE_URL is not: the database is "
                                         "the local SQLite file, which workers on other machines cannot reach")]
    return [Finding(OK, "mode", "server (PostgreSQL and a broker)" if _server_mode(config)
                    else "embedded (SQLite and a folder broker, one machine)")]


def check_secret(config: Mapping) -> list[Finding]:
    key = config.get("SECRET_KEY") or ""
    how = "set ONESTOP_SECRET_KEY to a long random value, the same on every machine (e.g. the output of " \
          "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
    if _server_mode(config):
        if key in ("", DEFAULT_SECRET):
            return [Finding(PROBLEM, "secret key", f"the default key signs the sessions, so anyone can forge a login: {how}")]
        if len(key) < 24:
            return [Finding(PROBLEM, "secret key", f"the key is only {len(key)} characters long: {how}")]
    elif key in ("", DEFAULT_SECRET):
        return [Finding(WARNING, "secret key", f"the default key: fine on a laptop; before others can reach it, {how}")]
    return [Finding(OK, "secret key", "set")]


def check_office_hours_and_catalogue(config: Mapping) -> list[Finding]:
    from onestop.core.calendar import OfficeHours
    from onestop.workflows.definition import CATALOGUE_DIR, DefinitionError, load_versions

    text = config["ONESTOP_OFFICE_HOURS"]
    try:
        hours = OfficeHours.parse(text)
    except ValueError as exc:
        return [Finding(PROBLEM, "office hours", f"ONESTOP_OFFICE_HOURS={text!r} is not valid ({exc}): write the periods "
                                                 "as HH:MM-HH:MM in order, separated by commas, e.g. 07:30-11:30,13:00-17:00")]
    found = [Finding(OK, "office hours", str(hours))]
    directory = Path(config.get("ONESTOP_CATALOGUE_DIR") or CATALOGUE_DIR)
    try:
        catalogue = load_versions(directory, office_hours=hours)
    except DefinitionError as exc:
        field = "cut-off" if exc.field == "cutoff" else exc.field
        return [*found, Finding(PROBLEM, "catalogue", f"{exc.source}, {field}: {exc.reason}; correct that file "
                                                       f"(in {directory}) and run the doctor again")]
    if not catalogue:
        return [*found, Finding(PROBLEM, "catalogue", f"no procedure file (*.toml) in {directory}")]
    versions = [p for found in catalogue.values() for p in found]
    cutoffs = sum(1 for p in versions if p.cutoff is not None)
    return [*found, Finding(OK, "catalogue", f"{len(versions)} procedures valid ({len(catalogue)} codes; a code "
                                             f"may have versions in force on different dates), {cutoffs} with a "
                                             "cut-off inside office hours")]


def check_timezone(config: Mapping) -> list[Finding]:
    try:
        zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    except zoneinfo.ZoneInfoNotFoundError:
        return [Finding(PROBLEM, "time zone", "the time zone data for Asia/Ho_Chi_Minh are missing: install them "
                                              "(Debian: apt-get install tzdata; or pip install tzdata)")]
    return [Finding(OK, "time zone", "Asia/Ho_Chi_Minh found")]


def _font_installed(family: str) -> bool | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    out = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True, text=True, timeout=30).stdout
    return bool(out.strip())


def check_fonts(config: Mapping) -> list[Finding]:
    installed = _font_installed(SLIP_FONT)
    if installed is None:
        return [Finding(PROBLEM, "slips", "fontconfig (fc-list) is missing, so the slips' PDFs find no font: "
                                          "apt-get install fontconfig fonts-dejavu-core")]
    if not installed:
        return [Finding(PROBLEM, "slips", f"the font {SLIP_FONT}, which prints the Vietnamese diacritics of the slips, "
                                          "is not installed: apt-get install fonts-dejavu-core")]
    try:
        import weasyprint  # noqa: F401  (loads Pango and HarfBuzz)
    except OSError as exc:
        return [Finding(PROBLEM, "slips", f"WeasyPrint cannot load its libraries ({exc}): apt-get install "
                                          "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0")]
    return [Finding(OK, "slips", f"{SLIP_FONT} and WeasyPrint's libraries found")]


def _writable(folder: Path) -> bool:
    """A file can be made in the folder (or, while it does not exist yet, in the nearest folder above it);
    the probe file is gone again at once."""
    probe = folder
    while not probe.exists():
        probe = probe.parent
    try:
        with tempfile.TemporaryFile(dir=probe):
            return True
    except OSError:
        return False


def check_mail(config: Mapping) -> list[Finding]:
    found = []
    name, address = parseaddr(config["ONESTOP_MAIL_FROM"])
    if "@" not in address:
        found.append(Finding(PROBLEM, "mail", f"ONESTOP_SMTP_FROM={config['ONESTOP_MAIL_FROM']!r} has no e-mail address: "
                                              "write it as 'Name <address@example.gov.vn>' or just the address"))
    host = config["ONESTOP_SMTP_HOST"]
    port = config["ONESTOP_SMTP_PORT"]
    if host:
        if not 0 < port < 65536:
            found.append(Finding(PROBLEM, "mail", f"ONESTOP_SMTP_PORT={port} is not a port: 25, 465 or 587 usually"))
        elif config["ONESTOP_SMTP_USER"] and not config["ONESTOP_SMTP_PASSWORD"]:
            found.append(Finding(PROBLEM, "mail", "ONESTOP_SMTP_USER is set without ONESTOP_SMTP_PASSWORD: set both or neither"))
        else:
            try:
                socket.create_connection((host, port), timeout=3).close()
            except OSError:
                found.append(Finding(WARNING, "mail", f"the mail server {host}:{port} does not answer now: check the host "
                                                      "and port (mail waits and is retried meanwhile)"))
    else:
        folder = Path(config["ONESTOP_MAIL_DIR"])
        if not _writable(folder):
            found.append(Finding(PROBLEM, "mail", f"no SMTP server is set and the mail folder {folder} cannot be "
                                                  "written: set ONESTOP_SMTP_HOST, or make ONESTOP_MAIL_DIR writable"))
        elif _server_mode(config):
            found.append(Finding(WARNING, "mail", f"no ONESTOP_SMTP_HOST: mail is written as files to {folder}, "
                                                  "not sent"))
    base = config.get("ONESTOP_BASE_URL") or ""
    if base and not (urlsplit(base).scheme in ("http", "https") and urlsplit(base).netloc):
        found.append(Finding(PROBLEM, "mail", f"ONESTOP_BASE_URL={base!r} is not a web address: write it as "
                                              "https://motcua.example.gov.vn"))
    elif not base and _server_mode(config):
        found.append(Finding(WARNING, "mail", "ONESTOP_BASE_URL is not set: e-mails carry no link to the site"))
    return found or [Finding(OK, "mail", f"SMTP {host}:{port}" if host else f"written to {config['ONESTOP_MAIL_DIR']}")]


def check_operations(config: Mapping) -> list[Finding]:
    import ipaddress

    found = []
    if config["ONESTOP_LOG_FORMAT"] not in ("json", "text"):
        found.append(Finding(PROBLEM, "logs", f"ONESTOP_LOG_FORMAT={config['ONESTOP_LOG_FORMAT']!r}: write json or text"))
    if not isinstance(logging.getLevelName(str(config["ONESTOP_LOG_LEVEL"]).upper()), int):
        found.append(Finding(PROBLEM, "logs", f"ONESTOP_LOG_LEVEL={config['ONESTOP_LOG_LEVEL']!r}: write DEBUG, INFO, "
                                              "WARNING or ERROR"))
    for entry in config["ONESTOP_METRICS_ALLOW"]:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            found.append(Finding(PROBLEM, "metrics", f"ONESTOP_METRICS_ALLOW has {entry!r}, not an address or network: "
                                                     "write addresses or networks separated by commas, "
                                                     "e.g. 127.0.0.1,10.0.0.0/24"))
    dsn = config["ONESTOP_SENTRY_DSN"]
    if dsn:
        from sentry_sdk.utils import BadDsn, Dsn

        try:
            Dsn(dsn)
        except BadDsn as exc:
            found.append(Finding(PROBLEM, "errors", f"ONESTOP_SENTRY_DSN is not a DSN ({exc}): copy it from the "
                                                    "project's settings in Sentry, or unset it"))
    return found or [Finding(OK, "operations", f"logs as {config['ONESTOP_LOG_FORMAT']}, metrics open to "
                                               f"{', '.join(config['ONESTOP_METRICS_ALLOW']) or 'nobody'}"
                                               f"{' and a token' if config['ONESTOP_METRICS_TOKEN'] else ''}"
                                               f"{', errors to Sentry' if dsn else ''}")]


def check_storage(config: Mapping) -> list[Finding]:
    folder = Path(config["ONESTOP_ATTACHMENT_DIR"])
    if not _writable(folder):
        return [Finding(PROBLEM, "attachments", f"{folder} cannot be written: make it writable by the user the web "
                                                "and the worker run as, or set ONESTOP_ATTACHMENT_DIR")]
    return [Finding(OK, "attachments", f"{folder} writable")]


def check_database(config: Mapping) -> list[Finding]:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, make_url, text

    from onestop import MIGRATIONS_DIR

    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:" and not Path(path).exists():  # connecting would create an empty file
            return [Finding(PROBLEM, "database", f"there is no database at {path} yet: run `flask --app onestop db upgrade`")]
    connect_args = {} if url.startswith("sqlite") else {"connect_timeout": 5}
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            try:
                at = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
            except Exception:
                at = set()
    except Exception as exc:
        return [Finding(PROBLEM, "database", f"cannot connect ({type(exc).__name__}): check ONESTOP_DATABASE_URL "
                                             "(host, port, database name, user and password) and that the server runs")]
    finally:
        engine.dispose()
    heads = set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
    if at != heads:
        return [Finding(PROBLEM, "database", f"the schema is at {', '.join(sorted(at)) or 'nothing yet'}, this version "
                                             "needs the latest migrations: run `flask --app onestop db upgrade`")]
    found = [Finding(OK, "database", f"reachable, schema up to date ({', '.join(sorted(at))})")]
    if not url.startswith("sqlite"):
        found += _check_pg_dump(url)
    return found


def _check_pg_dump(url: str) -> list[Finding]:
    from sqlalchemy import create_engine

    from onestop.ops import archive

    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            major, _ = archive.server_version(conn)
        archive.check_tool("pg_dump", major)
        archive.check_tool("pg_restore", major)
    except archive.ArchiveError as exc:
        return [Finding(WARNING, "backup", f"`onestop backup` will not work: {exc}")]
    finally:
        engine.dispose()
    return [Finding(OK, "backup", f"pg_dump and pg_restore of version {major}, as the server")]


CHECKS: list[Callable[[Mapping], list[Finding]]] = [
    check_modes, check_secret, check_office_hours_and_catalogue, check_timezone, check_fonts, check_mail,
    check_operations, check_storage, check_database,
]


def diagnose(config: Mapping, env: Mapping[str, str] | None = None) -> list[Finding]:
    findings = check_numbers(os.environ if env is None else env)
    for check in CHECKS:
        try:
            findings += check(config)
        except Exception as exc:  # a check that breaks says so instead of hiding the others
            findings.append(Finding(PROBLEM, check.__name__.removeprefix("check_"),
                                    f"could not be checked ({type(exc).__name__}: {exc})"))
    return findings


def standalone_config() -> dict:
    """The settings as ``create_app`` would read them, without building the app."""
    from onestop import config as app_config
    from onestop.ops import settings

    instance = Path(os.environ.get("ONESTOP_INSTANCE_PATH") or Path(app_config.__file__).parents[1] / "instance")
    config = app_config.load(instance)
    for key, value in settings.defaults(config).items():
        config.setdefault(key, value)
    return config


def report(findings: list[Finding], echo=print) -> int:
    for finding in findings:
        echo(finding.line())
    problems = sum(1 for f in findings if f.level == PROBLEM)
    warnings = sum(1 for f in findings if f.level == WARNING)
    echo(f"{problems} problem{'s' * (problems != 1)}, {warnings} warning{'s' * (warnings != 1)}"
         + ("" if problems else ": ready to start"))
    return 1 if problems else 0


def main() -> int:
    bad = [f for f in check_numbers(os.environ) if f.level == PROBLEM]
    if bad:  # config.load would stop at the first one
        return report(bad)
    return report(diagnose(standalone_config()))


if __name__ == "__main__":
    sys.exit(main())
