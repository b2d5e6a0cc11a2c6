"""The one way a view runs a verb: commit once on success; on ``OperationError`` roll back and
answer with the reason. Every form that changes something goes through ``submit``."""
from collections.abc import Callable
from typing import TypeVar

from flask.typing import ResponseReturnValue

from onestop.core.database import db
from onestop.core.errors import OperationError

T = TypeVar("T")


def submit(do: Callable[[], T], *, then: Callable[[T], ResponseReturnValue],
           otherwise: Callable[[str], ResponseReturnValue]) -> ResponseReturnValue:
    """Run ``do()`` (verbs flush, never commit); commit and answer ``then(result)``, or roll back
    everything it wrote and answer ``otherwise(reason)`` when a verb refused."""
    try:
        result = do()
    except OperationError as exc:
        db.session.rollback()
        return otherwise(str(exc))
    db.session.commit()
    return then(result)
