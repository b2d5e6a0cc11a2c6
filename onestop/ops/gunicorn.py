"""gunicorn's settings for onestop::

    gunicorn -c python:onestop.ops.gunicorn --bind 0.0.0.0:8000 --workers 4 'onestop:create_app()'

* Its own lines (start, workers booted, timeouts) go through the same handler as the app's: JSON lines
  in server mode, readable lines on a laptop (``ops/logs.py``). Its access log stays off unless asked
  for (``--access-logfile -``): the app writes one line per request itself, with the request id.
* Metrics of several worker processes: ``PROMETHEUS_MULTIPROC_DIR`` is set (to a new temporary folder
  unless the operator gives one) before any worker imports prometheus-client, emptied when the master
  starts, and a dead worker's files are marked so, so ``/metrics`` sums every live and past worker.
"""
import os
import shutil
import tempfile
from pathlib import Path

_made_dir = False
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="onestop-metrics-")
    _made_dir = True

from gunicorn import glogging  # noqa: E402  (after the variable above, before prometheus-client)

from onestop.ops import logs  # noqa: E402


def _log_format() -> str:
    if os.environ.get("ONESTOP_LOG_FORMAT"):
        return os.environ["ONESTOP_LOG_FORMAT"]
    return "json" if os.environ.get("ONESTOP_DATABASE_URL") else "text"


class Logger(glogging.Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        handler = logs.make_handler(_log_format())
        self.error_log.handlers = [handler]
        self.error_log.propagate = False
        if cfg.accesslog is not None:
            self.access_log.handlers = [handler]
            self.access_log.propagate = False


logger_class = Logger


def on_starting(server) -> None:
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # counts of a previous run of this master
        stale.unlink()


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _made_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
