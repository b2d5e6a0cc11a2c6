"""The admin's view of a client's webhooks: its subscriptions and its delivery log, with replay."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from onestop.api.models import ApiClient
from onestop.auth.access import access
from onestop.auth.models import Role
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from onestop.webhooks.operations import replay

bp = Blueprint("webhook_admin", __name__, url_prefix="/admin/api-clients")
PAGE = 100


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != Role.ADMIN:
        abort(404)


@bp.get("/<int(max=2147483647):client_id>/deliveries")
@access("admin")
def deliveries(client_id: int):
    client = db.session.get(ApiClient, client_id)
    if client is None:
        abort(404)
    status = request.args.get("status", "")
    subscriptions = db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.client_id == client.id).order_by(WebhookSubscription.id)).all()
    query = (select(WebhookDelivery, Dossier.code).join(Dossier, Dossier.id == WebhookDelivery.dossier_id)
             .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
             .where(WebhookSubscription.client_id == client.id))
    if status in {s.value for s in DeliveryStatus}:
        query = query.where(WebhookDelivery.status == DeliveryStatus(status))
    rows = db.session.execute(query.order_by(WebhookDelivery.id.desc()).limit(PAGE)).all()
    return render_template("webhooks/deliveries.html", client=client, subscriptions=subscriptions, rows=rows,
                           status=status, statuses=[s.value for s in DeliveryStatus])


@bp.post("/<int(max=2147483647):client_id>/deliveries/<int(max=2147483647):delivery_id>/replay")
@access("admin")
def replay_delivery(client_id: int, delivery_id: int):
    delivery = db.session.scalar(select(WebhookDelivery).join(WebhookSubscription).where(
        WebhookDelivery.id == delivery_id, WebhookSubscription.client_id == client_id)
        .options(joinedload(WebhookDelivery.subscription)))
    if delivery is None:
        abort(404)

    def done(again):
        flash(_("Đã xếp lần gửi lại (số %(id)s).", id=again.id), "success")
        return redirect(url_for("webhook_admin.deliveries", client_id=client_id))

    def refused(reason):
        flash(reason, "error")
        return redirect(url_for("webhook_admin.deliveries", client_id=client_id))

    return submit(lambda: replay(delivery, actor=current_user), then=done, otherwise=refused)
