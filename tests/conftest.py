"""Shared fixtures.

Server mode: ``ONESTOP_TEST_DATABASE_URL`` (PostgreSQL) and ``ONESTOP_TEST_BROKER_URL`` (Redis).
Embedded mode (neither set): a SQLite file and the filesystem broker in a temporary folder.

The schema is built once per session by the Alembic migrations, and the demo agency tree and
logins are committed once. Each test then runs in a transaction that is rolled back (``db``),
or, for tests that need other connections to see their data (a real worker, threads), commits
and has its dossiers deleted afterwards (``committed``).
"""
import os
import uuid
from datetime import UTC, datetime

import pytest
from flask import g
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import delete, select, text

from onestop import create_app
from onestop.api.models import Handover
from onestop.attachments.models import Attachment
from onestop.auth.models import User
from onestop.consultations.models import Consultation
from onestop.core.outbox import OutboxMessage
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import DailySequence, Dossier, DossierEvent
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import receive_dossier
from onestop.dossiers.visits import StepVisit
from onestop.extensions import db as _db
from onestop.fees.models import FeeAssessment, FeePayment, ReceiptSeries
from onestop.fees.operations import collect_at_intake
from onestop.messages.models import CitizenMessage
from onestop.online.models import OnlineApplication, OnlineApplicationFile
from onestop.ratings.models import Rating
from onestop.results.models import SignedResult
from onestop.supplements.models import SupplementRound
from onestop.webhooks.models import WebhookDelivery

SERVER_MODE = bool(os.environ.get("ONESTOP_TEST_DATABASE_URL"))


def pytest_collection_modifyitems(config, items):
    if SERVER_MODE:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (server mode: set ONESTOP_TEST_DATABASE_URL)")
    for item in items:
        if "server" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("onestop")
    database_url = os.environ.get("ONESTOP_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    broker = os.environ.get("ONESTOP_TEST_BROKER_URL", "filesystem://")
    os.environ["ONESTOP_BROKER_URL"] = broker
    # a queue of this run's own: a worker another run left behind on the same broker takes nothing of it
    os.environ["ONESTOP_TASK_QUEUE"] = f"onestop-test-{uuid.uuid4().hex[:12]}"
    os.environ["ONESTOP_INSTANCE_PATH"] = str(tmp)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "ONESTOP_DISPATCH_ON_COMMIT": False,
        "SECRET_KEY": "test",
    })
    with app.app_context():
        _reset_schema()
        upgrade(directory=app.extensions["migrate"].directory)
        from onestop.demo.seed import seed_demo
        seed_demo()
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _reset_schema()


def _reset_schema() -> None:
    engine = _db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        _db.drop_all()
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy picks the engine per table and would bypass the test's connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def db(app):
    """A session bound to one outer transaction that is rolled back after the test.

    ``commit()`` in code under test only releases a savepoint, so views and operations run
    exactly as in production while nothing outlives the test.
    """
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _BoundSession})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def committed(app):
    """Real commits (other connections and the worker see them); dossier data is deleted after."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        for model in (WebhookDelivery, Handover, Notification, OutboxMessage, DossierEvent, Consultation, Attachment,
                      OnlineApplicationFile, OnlineApplication, CitizenMessage, SupplementRound, SignedResult, Rating,
                      FeePayment, FeeAssessment, ReceiptSeries, StepVisit, Dossier, DailySequence):
            _db.session.execute(delete(model))
        _db.session.commit()
        _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def user(db):
    def get(username: str) -> User:
        return db.session.scalar(select(User).where(User.username == username))
    return get


@pytest.fixture
def login_as(client):
    """Log the client in by setting the session directly (the login form has its own tests)."""
    def login(username: str) -> User:
        found = _db.session.scalar(select(User).where(User.username == username))
        assert found is not None, username
        with client.session_transaction() as session:
            session["_user_id"] = str(found.id)
            session["_fresh"] = True
        g.pop("_login_user", None)  # the test's app context is reused by requests; drop the cached user
        return found
    return login


APPLICANT = Applicant(name="Nguyễn Văn An", id_number="031090001234", phone="0912345678",
                      address="12 Minh Khai, Hồng Bàng, Hải Phòng")
LAND = "1.013978"
COPY = "2.000815"
LAND_DOCS = ["application", "land_papers", "cadastral_extract", "fee_declaration"]


@pytest.fixture
def create_dossier(app):
    """Receive a dossier at ``clerk``'s desk (defaults: a land certificate at Hồng Bàng), its fees
    due at intake paid in cash as the desk's intake form takes them (``pay=False``: left unpaid)."""
    def create(clerk: str = "hb.clerk", procedure: str = LAND, documents=None, applicant=APPLICANT,
               pay: bool = True) -> Dossier:
        actor = _db.session.scalar(select(User).where(User.username == clerk))
        if documents is None:
            documents = LAND_DOCS if procedure == LAND else ["original", "copy"]
        dossier = receive_dossier(actor, procedure_code=procedure, applicant=applicant, documents=documents)
        if pay:
            collect_at_intake(dossier, actor, pages=1, copies=1, method="cash", reference=None)
        _db.session.commit()
        return dossier
    return create


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Hà Nội/Hải Phòng local wall time as aware UTC."""
    from onestop.core.calendar import VN_TZ
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ).astimezone(UTC)


@pytest.fixture
def make(db):
    """The factories of ``tests/factories.py``, in the test's rolled-back transaction."""
    from tests import factories
    return factories
