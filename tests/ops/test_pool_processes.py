"""A worker's pool processes are forked from its main process, which has written its heartbeat by
then: the connection it used sits in the engine's pool, and without care every child takes that
same connection (one socket, one server session) for its tasks. Two processes talking over one
connection interleave their statements: one's COMMIT ends the other's transaction, a dossier is
assigned without its history line, or every task fails on a broken protocol. Each pool process
therefore starts with a pool of its own (``ops/worker.py``, on ``worker_process_init``)."""
import os

from celery import signals

from onestop.extensions import db


def test_a_pool_process_opens_connections_of_its_own(app):
    with app.app_context():
        with db.engine.connect() as conn:  # checked in again: the pool now holds it, as after a heartbeat
            conn.exec_driver_sql("SELECT 1")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the pool process
        answer = b"error"
        try:
            with app.app_context():
                with db.engine.connect() as conn:
                    inherited = conn.connection.dbapi_connection
                signals.worker_process_init.send(sender=None)
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
                    answer = b"shared" if conn.connection.dbapi_connection is inherited else b"own"
        finally:
            os.write(write, answer)
            os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"own", "the pool process went on with the connection of the process it was forked from"
