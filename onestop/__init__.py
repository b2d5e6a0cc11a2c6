"""onestop: the one-stop (một cửa liên thông) case-handling system."""
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine as SAEngine

from onestop import config
from onestop.extensions import babel, csrf, db, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
LANGUAGES = ("vi", "en")


def create_app(config_override: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("ONESTOP_INSTANCE_PATH") or None)
    from onestop.web import Request

    app.request_class = Request
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.load(Path(app.instance_path)))
    if config_override:
        app.config.update(config_override)

    from onestop import models  # noqa: F401  (registers every table)
    from onestop.celery import celery_init_app
    from onestop.core import clock
    from onestop.core.calendar import OfficeHours
    from onestop.workflows.definition import load_versions
    from onestop.workflows.engine import Engine

    if app.config["ONESTOP_CLOCK_OFFSET_HOURS"]:
        clock.set_offset(timedelta(hours=app.config["ONESTOP_CLOCK_OFFSET_HOURS"]))
    db.init_app(app)
    from onestop.core import versions

    app.before_request(versions.forget)  # the caches' stamps are read once per request, never kept over
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập.")
    login_manager.localize_callback = str  # the lazy message, in the language of the request
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    app.extensions["onestop_engine"] = Engine(load_versions(
        app.config.get("ONESTOP_CATALOGUE_DIR") or _default_catalogue(),
        office_hours=OfficeHours.parse(app.config["ONESTOP_OFFICE_HOURS"])))
    celery_init_app(app)
    _prepare_broker_folders(app)

    from onestop import api, cli, ops, web, webhooks

    for bp in _blueprints():
        app.register_blueprint(bp)
    api.init_app(app)
    webhooks.init_app(app)
    _subscribers()
    web.init_app(app)
    cli.init_app(app)
    ops.init_app(app)
    return app


def _blueprints() -> list:
    """Every feature's blueprint; importing them also registers their panels of the dossier page."""
    from onestop.administration.agency_views import bp as agency_admin
    from onestop.administration.audit_views import bp as audit
    from onestop.administration.import_views import bp as imports
    from onestop.administration.staff_views import bp as staff
    from onestop.attachments.views import bp as attachments
    from onestop.auth.views import bp as auth
    from onestop.calendar_admin.views import bp as calendar_admin
    from onestop.casework.views import bp as casework
    from onestop.consultations.views import bp as consultations
    from onestop.desk.views import bp as desk
    from onestop.extension_requests.views import bp as extension_requests
    from onestop.fees.views import bp as fees
    from onestop.notifications.rules_views import bp as reminder_rules
    from onestop.notifications.views import bp as notifications
    from onestop.online.desk_views import bp as online_desk
    from onestop.online.views import bp as online
    from onestop.public.views import bp as public
    from onestop.ratings.views import bp as ratings
    from onestop.reports.views import bp as reports
    from onestop.results.views import bp as results
    from onestop.search.views import bp as search
    from onestop.slips.views import bp as slips
    from onestop.standins.views import bp as standins
    from onestop.supplements.views import bp as supplements
    from onestop.workflows.views import bp as workflows

    return [auth, desk, slips, casework, notifications, reminder_rules, reports, public, calendar_admin,
            extension_requests, attachments, consultations, online, online_desk, workflows, staff,
            agency_admin, imports, standins, search, audit, fees, supplements, results, ratings]


def _subscribers() -> None:
    """The features that react to a dossier's moves (``dossiers/signals.py``), in every process:
    fees (assessed at receipt, paid before the return), the e-result (uploaded before the
    signature), supplement rounds, the citizen's messages."""
    import onestop.fees.operations  # noqa: F401
    import onestop.messages.notices  # noqa: F401
    import onestop.results.operations  # noqa: F401
    import onestop.supplements.operations  # noqa: F401


def _default_catalogue():
    from onestop.workflows.definition import CATALOGUE_DIR
    return CATALOGUE_DIR


def _select_locale() -> str | None:
    """The language the user picked (``/lang/<code>``), else the default (``BABEL_DEFAULT_LOCALE``,
    Vietnamese); for an API call, its ``Accept-Language``; outside a request (worker, CLI) always
    the default."""
    if not has_request_context():
        return None
    if request.path.startswith("/api/"):  # other systems say it with each call
        return request.accept_languages.best_match(LANGUAGES)
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else None


def _prepare_broker_folders(app: Flask) -> None:
    options = app.config["CELERY"].get("broker_transport_options", {})
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(SAEngine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets the web app and the worker read while one writes; foreign keys are off by default.

    The driver's own transaction handling is switched off and ``BEGIN`` is emitted below, so
    transactions and savepoints behave as on PostgreSQL.
    """
    if _is_sqlite(dbapi_connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(SAEngine, "begin")
def _sqlite_begin(connection) -> None:
    """``BEGIN IMMEDIATE``: a transaction takes the write lock up front and waits for it
    (busy_timeout), instead of failing with "database is locked" when a read turns into a write
    while the web app and the worker both write. A probe that only reads (``onestop/ops/database.py``)
    asks for a plain ``BEGIN``: it waits for no writer."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get("onestop_read_only")
                                   else "BEGIN IMMEDIATE")
