"""Webhooks: other systems subscribe to the moves of the dossiers in their scope; each move is
delivered, signed, in order per dossier, through the outbox and the worker (``delivery.py``).
Fed by the door's announcements (``dossiers.signals``): the door never imports this package."""
from flask import Flask


def init_app(app: Flask) -> None:
    from onestop.api import register
    from onestop.webhooks import events  # noqa: F401  (connects to the door's signal)
    from onestop.webhooks.admin_views import bp as admin
    from onestop.webhooks.api_views import bp as api_bp

    register(app, api_bp)
    app.register_blueprint(admin)
