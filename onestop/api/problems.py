"""Errors of the API as problem details (RFC 9457, ``application/problem+json``).

Every refusal answers one JSON object: ``type`` (``urn:onestop:problem:<code>``), ``title`` and
``detail`` in the language the caller asked for (``Accept-Language``), ``status``, ``code`` (a
stable word to branch on) and, for bad input, ``errors``: one ``{"field", "pointer", "detail"}``
per field, the pointer a JSON Pointer into the request body (or naming the query parameter or
header). A few problems carry more members (``dossier_code`` of a reference already handed over).
"""
from collections.abc import Mapping

from flask import Response, json
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MIMETYPE = "application/problem+json"

#: status → (code, title) for the problems raised by routing, parsing and the limiter
_BY_STATUS = {
    400: ("bad_request", _l("Yêu cầu không hợp lệ.")),
    401: ("unauthorized", _l("Thiếu mã truy cập hoặc mã truy cập không hợp lệ, đã hết hạn hay đã bị thu hồi.")),
    403: ("forbidden", _l("Mã truy cập này không được cấp quyền cho thao tác này.")),
    404: ("not_found", _l("Không tìm thấy.")),
    405: ("method_not_allowed", _l("Thao tác không được hỗ trợ.")),
    406: ("not_acceptable", _l("Chỉ trả lời được dạng JSON.")),
    409: ("conflict", _l("Xung đột với một yêu cầu trước.")),
    413: ("too_large", _l("Yêu cầu quá lớn.")),
    415: ("unsupported_media_type", _l("Nội dung gửi lên phải là JSON (application/json).")),
    422: ("invalid", _l("Dữ liệu gửi lên không hợp lệ.")),
    429: ("rate_limited", _l("Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau.")),
    500: ("server_error", _l("Đã có lỗi, thao tác chưa được lưu. Vui lòng thử lại.")),
}


#: titles of the problems whose code says more than their status
_BY_CODE = {
    "refused": _l("Thao tác bị từ chối."),
    "duplicate_reference": _l("Hồ sơ này đã được chuyển trước đây."),
    "idempotency_key_reused": _l("Idempotency-Key đã được dùng cho một yêu cầu khác."),
    "missing_scope": _l("Mã truy cập này không được cấp quyền cho thao tác này."),
}


class Problem(HTTPException):
    """Raise to answer a problem: ``Problem(404)``, ``Problem(422, "refused", reason)``…"""

    def __init__(self, status: int, code: str | None = None, detail: str | None = None, *,
                 errors: list[dict] | None = None, headers: Mapping[str, str] | None = None, **extra):
        super().__init__(description=detail)
        self.code = status
        self.problem_code = code
        self.detail = detail
        self.errors = errors
        self.extra = extra
        self.extra_headers = dict(headers or {})

    def get_response(self, environ=None, scope=None) -> Response:
        return problem_response(self.code, self.problem_code, self.detail, errors=self.errors,
                                headers=self.extra_headers, **self.extra)


def problem_response(status: int, code: str | None = None, detail: str | None = None, *,
                     errors: list[dict] | None = None, headers: Mapping[str, str] | None = None,
                     **extra) -> Response:
    default_code, title = _BY_STATUS.get(status, (f"http_{status}", _l("Yêu cầu không thực hiện được.")))
    title = _BY_CODE.get(code, title)
    body = {"type": f"urn:onestop:problem:{code or default_code}", "title": str(title), "status": status,
            "detail": str(detail) if detail else str(title), "code": code or default_code, **extra}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages, location: str = "json") -> list[dict]:
    """marshmallow's nested messages (``{"applicant": {"name": ["…"]}}``) as a flat list of
    ``{"field": "applicant.name", "pointer": "#/applicant/name", "detail": "…"}``, each message as text."""
    found: list[dict] = []

    def walk(node, path: list[str]) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, path if key == "_schema" else [*path, str(key)])
        elif isinstance(node, list | tuple):
            if all(not isinstance(n, Mapping | list | tuple) for n in node):
                for message in node:
                    found.append(_error(path, str(message), location))
            else:
                for item in node:
                    walk(item, path)
        else:
            found.append(_error(path, str(node), location))

    walk(messages, [])
    return found


def _error(path: list[str], message: str, location: str) -> dict:
    field = ".".join(path)
    if location == "json":
        pointer = "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)
    else:
        pointer = f"{location}:{field}"
    return {"field": field, "pointer": pointer, "detail": message}


def from_http_exception(exc: HTTPException) -> Response:
    """Any ``HTTPException`` raised in an API view (routing, webargs, the limiter, ``abort``) as a problem."""
    if isinstance(exc, Problem):
        return exc.get_response()
    status = exc.code or 500
    headers = {}
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    limit = getattr(exc, "limit", None)  # Flask-Limiter's: the window, an upper bound of the wait
    if status == 429 and limit is not None:
        headers["Retry-After"] = str(int(limit.limit.get_expiry()))
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        errors = []
        for location, found in messages.items():
            errors.extend(field_errors(found, location))
        return problem_response(422, "invalid", _("Dữ liệu gửi lên không hợp lệ."), errors=errors, headers=headers)
    if status == 400 and messages:
        return problem_response(400, "invalid_json", _("Nội dung gửi lên không phải JSON hợp lệ."), headers=headers)
    return problem_response(status, headers=headers)
