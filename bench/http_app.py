"""The two apps ``http_bench.py`` serves with gunicorn, each answering with its statement count.

``onestop()``: onestop itself, unchanged, plus an ``X-Bench-Statements: <statements> <commits>``
header on every answer (what the request sent to the database, counted by a SQLAlchemy event).

``bare()``: the floor of the same stack: Flask and Flask-SQLAlchemy on the same database, with no
login, form library, key, scope, workflow or history rules, doing only the writes onestop does:

* ``POST /bare/intake``: the intake form's fields parsed, the dossier's row and its history line
  inserted, one commit, a redirect;
* ``POST /bare/dossiers/<id>/forward``: an officer's forward: the dossier's state updated, its
  history line and the worker's outbox row inserted, one commit, a redirect.

Served as ``gunicorn 'bench.http_app:onestop()'`` and ``gunicorn 'bench.http_app:bare()'``.
"""
import os
import secrets
from datetime import timedelta

from flask import Flask, g, has_request_context, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event, insert, select, update

HEADER = "X-Bench-Statements"


def count_statements(app: Flask, engine) -> None:
    """Count each request's statements and commits into its answer's ``HEADER``."""

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(*_args) -> None:
        if has_request_context():
            g._bench_statements = g.get("_bench_statements", 0) + 1

    @event.listens_for(engine, "commit")
    def _commit(_conn) -> None:
        if has_request_context():
            g._bench_commits = g.get("_bench_commits", 0) + 1

    def _header(response):
        response.headers[HEADER] = f"{g.get('_bench_statements', 0)} {g.get('_bench_commits', 0)}"
        return response

    # run after every other ``after_request`` (they run last-registered first): what they read counts too
    app.after_request_funcs.setdefault(None, []).insert(0, _header)


def onestop() -> Flask:
    from onestop import create_app
    from onestop.extensions import db

    app = create_app()
    with app.app_context():
        count_statements(app, db.engine)
    return app


def bare() -> Flask:
    from onestop.core import clock
    from onestop.core.outbox import OutboxMessage
    from onestop.dossiers.models import Dossier, DossierEvent

    app = Flask("bare")
    url = os.environ["ONESTOP_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db = SQLAlchemy()
    db.init_app(app)
    dossiers, events, outbox = Dossier.__table__, DossierEvent.__table__, OutboxMessage.__table__
    with app.app_context():
        count_statements(app, db.engine)
        desk_id, clerk_id = (int(os.environ["BENCH_DESK_ID"]), int(os.environ["BENCH_CLERK_ID"]))
        officer_id = int(os.environ["BENCH_OFFICER_ID"])
        db.session.execute(select(1))
        db.session.remove()

    @app.post("/bare/intake")
    def intake():
        form = request.form
        now = clock.now()
        dossier_id = db.session.execute(insert(dossiers).values(
            code=f"BARE-{secrets.token_hex(6)}", procedure_code=form["procedure_code"], step="reception",
            status="processing", step_seq=1, receiving_agency_id=desk_id, holder_agency_id=desk_id,
            assignee_id=clerk_id, received_by_id=clerk_id, applicant_name=form["applicant_name"],
            applicant_id_number=form["applicant_id_number"], applicant_phone=form["applicant_phone"],
            applicant_address=form["applicant_address"], documents=sorted(form.getlist("documents")),
            delivery_method=form["delivery_method"], received_at=now, due_at=now + timedelta(days=1),
            step_started_at=now, step_due_at=now + timedelta(hours=4), created_at=now,
            details={k[7:]: v for k, v in form.items() if k.startswith("detail_")},
        ).returning(dossiers.c.id)).scalar_one()
        db.session.execute(insert(events).values(dossier_id=dossier_id, at=now, action="receive", actor_id=clerk_id,
                                                 to_step="reception", to_agency_id=desk_id))
        db.session.commit()
        return redirect(f"/slips/dossiers/{dossier_id}/receipt")

    @app.post("/bare/dossiers/<int:dossier_id>/forward")
    def forward(dossier_id: int):
        now = clock.now()
        db.session.execute(update(dossiers).where(dossiers.c.id == dossier_id).values(
            step="leader_sign", step_seq=dossiers.c.step_seq + 1, assignee_id=None, step_started_at=now,
            step_due_at=now + timedelta(hours=4)))
        db.session.execute(insert(events).values(dossier_id=dossier_id, at=now, action="forward", actor_id=officer_id,
                                                 from_step="justice_check", to_step="leader_sign",
                                                 from_agency_id=desk_id, to_agency_id=desk_id, note=request.form.get("note")))
        db.session.execute(insert(outbox).values(task="onestop.route_dossier", created_at=now,
                                                 payload={"dossier_id": dossier_id, "step_seq": 3}))
        db.session.commit()
        return redirect("/inbox")

    return app
