"""Worker and beat entry point: ``celery -A worker.app worker`` / ``celery -A worker.app beat``."""
from onestop import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]

import worker.tasks  # noqa: E402,F401  (registers the tasks on celery_app)
