"""Operating onestop: health and readiness, metrics, logs, backup and restore, the doctor.

``init_app(app)`` (one line of ``create_app``) adds the settings, the logging configuration, the request
ids, the endpoints ``/healthz``, ``/readyz`` and ``/metrics``, error reports when a Sentry DSN is set,
and the Celery hooks the worker and beat need (``ops/worker.py``). The commands ``backup``,
``restore`` and ``doctor`` are declared in ``onestop/cli.py``.
"""
from flask import Flask
from flask.logging import default_handler


def init_app(app: Flask) -> None:
    from onestop.ops import logs, requests, sentry, settings, worker
    from onestop.ops.views import bp

    settings.apply(app)
    logs.configure(app.config["ONESTOP_LOG_FORMAT"], app.config["ONESTOP_LOG_LEVEL"])
    app.logger.removeHandler(default_handler)  # our handler on the root logger writes Flask's lines too
    requests.init_app(app)
    app.register_blueprint(bp)
    sentry.init_app(app)
    worker.install(app, app.extensions["celery"])
