"""Dossier codes stay unique when many clerks save at the same moment (PostgreSQL and SQLite)."""
from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import receive_dossier
from tests.conftest import APPLICANT, LAND_DOCS
from tests.race import race


def test_codes_unique_under_concurrent_saves(app, committed):
    db = committed
    clerk_id = db.session.scalar(select(User.id).where(User.username == "hb.clerk"))
    workers, per_worker = 8, 10

    def clerk() -> User:
        found = db.session.get(User, clerk_id)
        found.agency  # noqa: B018  (load it before the transaction ends)
        return found

    def save_many(actor: User) -> None:
        for _ in range(per_worker):
            receive_dossier(actor, procedure_code="1.013978", applicant=APPLICANT, documents=LAND_DOCS)
            db.session.commit()

    assert race(app, db, workers, clerk, save_many) == [None] * workers
    codes = db.session.scalars(select(Dossier.code)).all()
    assert len(codes) == workers * per_worker == len(set(codes))
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, workers * per_worker + 1))
