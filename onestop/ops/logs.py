"""One logging configuration for the web, the worker and beat.

Every line goes to standard error through one handler on the root logger: JSON objects in server mode
(``{"time", "level", "logger", "message", "request_id", …}``, one a line, for a log collector),
``time level [request id] logger: message`` on a laptop. Two filters sit on that handler: one adds the
id of the request or task being served (``core.request_id``), the other masks ID and phone numbers in
the message and the traceback (``ops.privacy``) before anything is written.

``configure`` replaces only the handler it put there itself, so it can run again (each ``create_app``)
and leaves other handlers alone (pytest's, for one). Celery's own set-up is switched off by
answering its ``setup_logging`` signal (``ops.worker``); gunicorn is given the same handler by
``ops/gunicorn.py``.
"""
import json
import logging
import sys
from datetime import UTC, datetime

from onestop.core import request_id
from onestop.ops.privacy import mask

#: the attributes every LogRecord has; anything else on a record came from ``extra=`` and is kept
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
#: libraries that are chatty at INFO
QUIET = {"urllib3": logging.WARNING, "amqp": logging.WARNING, "kombu": logging.WARNING,
         "celery.redirected": logging.WARNING, "weasyprint.progress": logging.WARNING, "fontTools": logging.WARNING,
         "transitions": logging.WARNING}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get()
        return True


class MaskFilter(logging.Filter):
    """Rewrites the record's message and traceback with the numbers masked; the formatter then only
    lays them out."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: the handler reports it as logging does
            return True
        record.msg = mask(message)
        record.args = None
        if record.exc_info:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str) and key != "request_id":
                setattr(record, key, mask(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value if isinstance(value, (int, float, bool, type(None))) else str(value)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "request_id", None):
            record.request_id = "-"
        return super().format(record)


def make_handler(fmt: str, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskFilter())
    handler._onestop = True  # noqa: SLF001  (marks the handler ``configure`` owns)
    return handler


def configure(fmt: str = "text", level: str = "INFO", stream=None) -> logging.Handler:
    """Put (or put back) our handler on the root logger; returns it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_onestop", False)]:
        root.removeHandler(old)
    handler = make_handler(fmt, stream)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    return handler
