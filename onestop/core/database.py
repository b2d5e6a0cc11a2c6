"""The Flask-SQLAlchemy object, created unbound (``create_app`` binds it).

It lives in ``core`` so the model base and the modules of ``core`` that keep tables (calendar
overrides, the outbox, the throttle) reach it without importing anything above ``core``;
``onestop.extensions`` re-exports it beside the other Flask extensions.
"""
from flask_sqlalchemy import SQLAlchemy

from onestop.core.models import Base

db = SQLAlchemy(model_class=Base)
