"""The operator's endpoints: ``/healthz``, ``/readyz``, ``/metrics``. No login (``public``), no form."""
import time

from flask import Blueprint, Response, current_app, jsonify

from onestop.auth.access import access
from onestop.ops import health, metrics
from onestop.ops.gauges import DomainCollector

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@access("public")
def healthz():
    """The process answers requests: nothing else is asked (a load balancer's liveness probe)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@access("public")
def readyz():
    started = time.perf_counter()
    checks = health.run_checks(current_app._get_current_object())
    ok = all(c["ok"] for c in checks.values())
    response = jsonify(status="ok" if ok else "fail", ms=round((time.perf_counter() - started) * 1000, 1),
                       checks=checks)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
@access("public")  # no login: the address list and the token below
def metrics_view():
    if not metrics.allowed():
        return jsonify(error={"code": 403, "message": "metrics are open to the addresses of ONESTOP_METRICS_ALLOW "
                                                      "or a bearer token (ONESTOP_METRICS_TOKEN)"}), 403
    body = metrics.exposition(DomainCollector(current_app._get_current_object()))
    return Response(body, mimetype=None, content_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})
