"""Run the same work in several threads released at one moment, each in its own app context
and database session, as concurrent requests would be."""
import threading


def race(app, db, workers: int, prepare, act) -> list:
    """``prepare()`` loads what a worker needs (committed, so no transaction is held: on SQLite an
    open one holds the write lock); then all workers run ``act(prepared)`` together. Returns each
    worker's result, or the exception it raised."""
    db.session.rollback()
    barrier = threading.Barrier(workers)
    results: list = []

    def run() -> None:
        try:
            with app.app_context():
                prepared = prepare()
                db.session.commit()
                barrier.wait(timeout=30)
                results.append(act(prepared))
        except BaseException as exc:  # the caller asserts on it
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
