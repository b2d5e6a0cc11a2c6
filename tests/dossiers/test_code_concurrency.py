"""Dossier codes stay unique when many clerks save at the same moment (PostgreSQL and SQLite)."""
import threading

from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import receive_dossier
from tests.conftest import APPLICANT, LAND_DOCS


def test_codes_unique_under_concurrent_saves(app, committed):
    db = committed
    clerk_id = db.session.scalar(select(User.id).where(User.username == "hb.clerk"))
    db.session.rollback()  # hold no transaction (SQLite: no write lock) while the clerks save
    workers, per_worker = 8, 10
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def save_many() -> None:
        try:
            with app.app_context():
                clerk = db.session.get(User, clerk_id)
                clerk.agency  # noqa: B018  (load it before the transaction ends)
                db.session.commit()
                barrier.wait(timeout=30)
                for _ in range(per_worker):
                    receive_dossier(clerk, procedure_code="1.013978", applicant=APPLICANT, documents=LAND_DOCS)
                    db.session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=save_many) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    codes = db.session.scalars(select(Dossier.code)).all()
    assert len(codes) == workers * per_worker == len(set(codes))
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, workers * per_worker + 1))
