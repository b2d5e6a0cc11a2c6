"""Reading the database from a probe (``/readyz``, ``/metrics``) without getting in anyone's way.

On SQLite every transaction of the app starts with ``BEGIN IMMEDIATE`` (``onestop/__init__.py``), i.e.
takes the write lock, so that a read turning into a write never fails. A probe only reads: with the
``onestop_read_only`` execution option its transaction starts with a plain ``BEGIN``, a WAL reader that
waits for no writer (a long sweep of the worker, a test's open transaction). On PostgreSQL a probe's
statements run in autocommit: each is its own snapshot, and no ``BEGIN``/``ROLLBACK`` round trips.
"""
from contextlib import contextmanager

from sqlalchemy.engine import Engine

READ_ONLY = {"onestop_read_only": True}


@contextmanager
def reading(engine: Engine):
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            conn = conn.execution_options(**READ_ONLY)
        try:
            yield conn
        finally:
            conn.rollback()
