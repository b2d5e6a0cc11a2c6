"""The admin's page of API clients: register one (its token shown once), issue a new token,
revoke it. For admins only; anyone else gets the same 404 as an unknown page."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from onestop.agencies.models import Agency
from onestop.api.clients import register_client, reissue_token, revoke_client
from onestop.api.forms import SCOPE_LABELS, ClientForm
from onestop.api.models import ApiClient
from onestop.auth.access import access
from onestop.auth.models import Role
from onestop.core.submit import submit
from onestop.extensions import db

bp = Blueprint("api_clients", __name__, url_prefix="/admin/api-clients")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != Role.ADMIN:
        abort(404)


def _agencies():
    return db.session.scalars(select(Agency).order_by(Agency.path)).all()


def _page(form: ClientForm | None = None, status: int = 200, token: str | None = None, shown: ApiClient | None = None):
    clients = db.session.scalars(select(ApiClient).options(joinedload(ApiClient.agency)).order_by(ApiClient.id)).all()
    return render_template("api/clients.html", clients=clients, form=form or ClientForm(_agencies(), formdata=None),
                           token=token, shown=shown, scope_labels={str(k): v for k, v in SCOPE_LABELS.items()}), status


@bp.get("")
@access("admin")
def index():
    return _page()


@bp.post("")
@access("admin")
def create():
    form = ClientForm(_agencies())
    if not form.validate_on_submit():
        return _page(form, 422)
    agency = db.session.get(Agency, form.agency_id.data)

    def do():
        return register_client(name=form.name.data, agency=agency, scopes=form.scopes.data,
                               expires_at=form.expires_at, admin=current_user)

    return submit(do, then=lambda made: _page(token=made[1], shown=made[0]),
                  otherwise=lambda reason: _refused(reason, form))


def _refused(reason: str, form: ClientForm | None = None):
    flash(reason, "error")
    return _page(form, 422)


def _client_or_404(client_id: int) -> ApiClient:
    client = db.session.get(ApiClient, client_id)
    if client is None:
        abort(404)
    return client


@bp.post("/<int(max=2147483647):client_id>/token")
@access("admin")
def new_token(client_id: int):
    client = _client_or_404(client_id)
    return submit(lambda: reissue_token(client, expires_at=None, admin=current_user),
                  then=lambda token: _page(token=token, shown=client),
                  otherwise=_refused)


@bp.post("/<int(max=2147483647):client_id>/revoke")
@access("admin")
def revoke(client_id: int):
    client = _client_or_404(client_id)

    def done(_result):
        flash(_("Đã thu hồi quyền truy cập của %(name)s.", name=client.name), "success")
        return redirect(url_for("api_clients.index"))

    return submit(lambda: revoke_client(client, admin=current_user), then=done,
                  otherwise=_refused)
