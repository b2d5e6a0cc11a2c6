"""What the fault tests share: a port nobody listens on, a logged-in test client on committed data,
and polling the database without holding a transaction (on SQLite an open one blocks the worker)."""
import socket
import time

from sqlalchemy import select

from onestop.auth.models import User


def closed_port() -> int:
    """A local port with nothing listening: a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(app, db, username: str):
    client = app.test_client()
    user = db.session.scalar(select(User).where(User.username == username))
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    db.session.rollback()
    return client


def wait_until(db, read, done, timeout: float, every: float = 0.2):
    """Poll ``read()`` (each in a short transaction of its own) until ``done(value)``; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        value = read()
        db.session.rollback()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(every)
