"""What every page shares: date filters, the unread bell, error pages, the language switch, the
security headers, and the request class that cleans what a browser sends."""
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, redirect, render_template, request, session, url_for
from flask import Request as FlaskRequest
from flask_babel import format_decimal, get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from onestop.auth.access import access
from onestop.core import submissions
from onestop.core.calendar import local_time_text
from onestop.core.text import CleanMultiDict
from onestop.core.urls import safe_target
from onestop.dossiers.clock import working_time
from onestop.dossiers.notices import Notification
from onestop.extensions import db


def local_date(value: datetime | None) -> str:
    return local_time_text(value, "%d/%m/%Y")


def thousands(value: int) -> str:
    """``12345`` → ``12.345`` in Vietnamese, ``12,345`` in English."""
    return format_decimal(value)


def one_decimal(value: float) -> str:
    """``12.5`` → ``12,5`` in Vietnamese, ``12.5`` in English."""
    return format_decimal(value, format="#,##0.0")


def file_size(size: int) -> str:
    """``1234567`` → ``1,2 MB`` (``1.2 MB`` in English)."""
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)))} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1))} MB"


def _same_site_path(referrer: str | None) -> str | None:
    """The path (and query) of a Referer from this very site; None for any other site."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


class Request(FlaskRequest):
    """Every value of the query string and of the form of a page arrives cleaned (``core/text.py``).

    The API's are left as sent: it refuses a control character with a problem naming the field
    (its schema says so), rather than act on a value the other system did not send."""

    @property
    def parameter_storage_class(self):
        return ImmutableMultiDict if self.path.startswith("/api/") else CleanMultiDict


#: scripts, styles and pictures from this site only (styles inline too: the server-drawn charts and
#: the diagrams carry theirs); no frames, no plugins, forms post only here
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")


def secure_headers(response: Response) -> Response:
    """The headers every answer carries; a view that set its own (a stored file served sandboxed)
    keeps them. Pages and files with personal data are never kept by a browser or a proxy."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["ONESTOP_HSTS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


def trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme and host from the X-Forwarded headers of the
    ``ONESTOP_PROXY_HOPS`` proxies in front of the app (none by default: the connection's own)."""
    hops = app.config["ONESTOP_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def init_app(app: Flask) -> None:
    from onestop import LANGUAGES

    app.add_template_filter(local_time_text, "dt")
    app.add_template_filter(local_date, "d")
    app.add_template_filter(file_size, "filesize")
    app.add_template_filter(thousands, "thousands")
    app.add_template_filter(one_decimal, "decimal1")
    app.add_template_filter(working_time, "working_time")

    @app.template_global()
    def form_guard() -> Markup:
        """The hidden fields every form that changes something carries: the CSRF token and a
        one-time submission key (``core/submissions.py``), new each time the form is drawn."""
        return Markup('<input type="hidden" name="csrf_token" value="{}"><input type="hidden" name="{}" value="{}">').format(
            generate_csrf(), submissions.FIELD, submissions.new_key())

    app.after_request(secure_headers)
    trust_proxies(app)

    @app.before_request
    def choose_language() -> None:
        """Pick the language afresh for each request (an application context kept across
        requests, as the tests keep one, would otherwise keep the first request's)."""
        refresh()

    @app.context_processor
    def language() -> dict:
        """``lang``: the page's language code, for ``<html lang>`` and the language switch."""
        return {"lang": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])}

    @app.context_processor
    def unread_count() -> dict:
        if not current_user.is_authenticated:
            return {"unread_count": 0}
        count = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None)))
        return {"unread_count": count}

    @app.get("/lang/<code>")
    @access("public")
    def set_language(code: str):
        if code in LANGUAGES:
            session["lang"] = code
        return redirect(safe_target(_same_site_path(request.referrer), url_for("auth.home")))

    def error(status: int, message: str):
        if request.path.startswith("/api/"):
            from onestop.api.problems import problem_response
            return problem_response(status)
        if _wants_json():
            return jsonify(error={"code": status, "message": message}), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(404)
    def not_found(exc):
        return error(404, _("Không tìm thấy trang hoặc hồ sơ."))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error(400, _("Phiên làm việc đã hết hạn, vui lòng tải lại trang và thử lại."))

    @app.errorhandler(413)
    def too_large(exc):
        return error(413, _("Tệp quá lớn: tối đa %(mb)s MB. Không có gì được lưu.",
                            mb=f"{app.config['ONESTOP_ATTACHMENT_MAX_MB']:g}"))

    @app.errorhandler(405)
    def method_not_allowed(exc):
        return error(405, _("Thao tác không được hỗ trợ."))

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return error(500, _("Đã có lỗi, thao tác chưa được lưu. Vui lòng thử lại."))
