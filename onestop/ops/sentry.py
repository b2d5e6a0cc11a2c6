"""Error reports to Sentry, only when ``ONESTOP_SENTRY_DSN`` is set.

sentry-sdk finds Flask, Celery and SQLAlchemy by itself. Nothing personal is sent: no user, cookie or
form data (``send_default_pii=False``, no request bodies), and every string of an event (messages,
exception values, breadcrumbs, local variables' reprs) has its ID and phone numbers masked before it
leaves (``before_send``).
"""
from flask import Flask

from onestop.ops.privacy import mask


def _masked(value):
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def before_send(event, hint):
    return _masked(event)


def init_app(app: Flask) -> bool:
    dsn = app.config["ONESTOP_SENTRY_DSN"]
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(dsn=dsn, environment=app.config["ONESTOP_SENTRY_ENVIRONMENT"], send_default_pii=False,
                    max_request_body_size="never", include_local_variables=False, before_send=before_send,
                    before_breadcrumb=lambda crumb, hint: _masked(crumb))
    return True
