"""The id of the request (or task) being served: on every log line, and sent with the tasks it enqueues.

``ops`` sets it when a request starts (from an ``X-Request-ID`` header, or a new one) and when a task
starts (from the message header the outbox sent with it); the logging filter and ``outbox.enqueue``
read it. It lives in ``core`` because the outbox, which is ``core``, records it.
"""
from contextvars import ContextVar

#: the name of the Celery message header that carries the id to the worker
HEADER = "request_id"

current: ContextVar[str | None] = ContextVar("onestop_request_id", default=None)


def get() -> str | None:
    return current.get()
