"""The search page behind the header box of every page (staff only; results within their scope)."""
from flask import Blueprint, render_template, request

from onestop.auth.access import access
from onestop.search.queries import LIMIT, MIN_NAME, parse, search
from onestop.workflows.engine import engine

bp = Blueprint("search", __name__)


@bp.get("/search")
@access("staff")
def index():
    from flask_login import current_user

    query = parse(request.args.get("q"))
    rows, more = search(current_user, query)
    return render_template("search/results.html", q=request.args.get("q", "")[:100], query=query, rows=rows,
                           more=more, limit=LIMIT, min_name=MIN_NAME, engine=engine())
