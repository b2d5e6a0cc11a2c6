from itertools import groupby

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from onestop.auth.models import Role
from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import engine
from onestop.extensions import db
from onestop.reports.queries import overdue_counts, overdue_dossiers

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/overdue")
@login_required
def overdue():
    if current_user.role not in (Role.SUPERVISOR, Role.ADMIN):
        abort(404)
    rows = db.session.execute(overdue_dossiers(current_user).options(selectinload(Dossier.assignee))).all()
    counts = {agency.id: (total, late) for agency, total, late in db.session.execute(overdue_counts(current_user))}
    groups = [(agency, [d for d, _ in items]) for agency, items in groupby(rows, key=lambda r: r[1])]
    return render_template("reports/overdue.html", groups=groups, counts=counts, engine=engine(),
                           total=len(rows), now=clock.now())
