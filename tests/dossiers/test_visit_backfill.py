"""The migration that brings step visits: backfilled from the history, the reminder state copied.

On a database of its own (a SQLite file; in server mode a PostgreSQL database beside the test
one): the December history of the reports and a sweep are written at the head, the migration is
taken back to its parent (the reminder state returns to ``dossiers``, the visits are dropped) and
applied again. The visits it rebuilds from the events must be the ones the verbs wrote.
"""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from onestop import create_app
from onestop.core import clock
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.visits import StepVisit
from onestop.extensions import db as _db
from onestop.notifications.sweep import sweep
from tests.conftest import vn
from tests.reports.history import december_history

PARENT = "c52e8f3b1d47"


@pytest.fixture
def scratch(app, tmp_path):
    """An application on an empty database of its own."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    admin = None
    if url.startswith("postgresql"):
        name = make_url(url).database + "_backfill"
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'backfill.db'}"
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "ONESTOP_DISPATCH_ON_COMMIT": False,
                        "SECRET_KEY": "test", "ONESTOP_BROKER_URL": os.environ.get("ONESTOP_BROKER_URL")})
    try:
        yield other
    finally:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()
        app.extensions["celery"].set_default()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _visits():
    rows = _db.session.scalars(select(StepVisit).order_by(StepVisit.dossier_id, StepVisit.step_seq)).all()
    return [(v.dossier_id, v.step_seq, v.procedure_code, v.step, v.agency_id, v.entered_at, v.left_at,
             None if v.hours is None else round(v.hours, 6), round(v.paused_hours, 6), v.due_at, v.remind_at,
             v.reminded_day, v.escalated) for v in rows], {
        (v.dossier_id, v.step_seq): v.assignee_id for v in rows}


def test_the_migration_rebuilds_the_visits_from_the_history(scratch):
    directory = scratch.extensions["migrate"].directory
    with scratch.app_context():
        upgrade(directory=directory)
        from onestop.demo.seed import seed_demo
        seed_demo()
        _db.session.commit()
        history = december_history(_db)
        with clock.frozen(vn(2026, 12, 21, 9)):  # reminders of the open dossiers: state past its start
            assert any(sweep().values())
        _db.session.commit()
        written, written_assignees = _visits()
        assert len(written) > 40 and any(row[11] > 0 for row in written) and any(row[10] for row in written)
        moves = {(e.dossier_id, e.id): e.actor_id for e in _db.session.scalars(
            select(DossierEvent).where(DossierEvent.is_move).order_by(DossierEvent.id))}
        _db.session.remove()

        downgrade(directory=directory, revision=PARENT)
        assert "step_visits" not in inspect(_db.engine).get_table_names()
        columns = {c["name"] for c in inspect(_db.engine).get_columns("dossiers")}
        assert {"remind_at", "reminded_day", "escalated"} <= columns
        upgrade(directory=directory)
        columns = {c["name"] for c in inspect(_db.engine).get_columns("dossiers")}
        assert not {"remind_at", "reminded_day", "escalated"} & columns

        rebuilt, rebuilt_assignees = _visits()
        assert rebuilt == written
        # the open visit keeps its assignee; a finished one, which the history does not name, the
        # person who moved the dossier on
        leaving = {}
        for dossier_id in {d for d, _ in moves}:
            actors = [actor for (d, _), actor in moves.items() if d == dossier_id]
            leaving.update({(dossier_id, seq): actor for seq, actor in enumerate(actors[1:])})
        for (dossier_id, seq), assignee in rebuilt_assignees.items():
            if (dossier_id, seq) in leaving:
                assert assignee == leaving[dossier_id, seq]
            else:
                assert assignee == written_assignees[dossier_id, seq]
        assert history.dossiers
