"""Receipt numbers: one series per desk and year, unique and without gaps when many clerks take
payments at the same moment, a payment rolled back giving its number back (PostgreSQL and SQLite)."""
import pytest
from sqlalchemy import select

from onestop.auth.models import User
from onestop.core.errors import OperationError
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import receive_dossier
from onestop.extensions import db as _db
from onestop.fees.models import FeePayment
from onestop.fees.operations import assessment_of, collect_fee
from tests.conftest import APPLICANT
from tests.race import race


def test_receipt_numbers_are_unique_and_gap_free_under_concurrent_payments(app, committed):
    db = committed
    clerk = db.session.scalar(select(User).where(User.username == "hbmk.clerk"))
    workers, per_worker = 6, 5
    for _ in range(workers * per_worker):
        receive_dossier(clerk, procedure_code="2.000815", applicant=APPLICANT, documents=["original", "copy"])
    db.session.commit()
    ids = db.session.scalars(select(Dossier.id).order_by(Dossier.id)).all()
    clerk_id = clerk.id
    batches = iter([ids[i::workers] for i in range(workers)])

    def prepare():
        return next(batches)

    def pay(dossier_ids):
        actor = _db.session.get(User, clerk_id)
        for n, dossier_id in enumerate(dossier_ids):
            assessment = assessment_of(_db.session.get(Dossier, dossier_id))
            collect_fee(assessment, actor, stage="intake", method="cash")
            if n == 1:  # a payment that does not commit gives its number back
                _db.session.rollback()
                assessment = assessment_of(_db.session.get(Dossier, dossier_id))
                collect_fee(assessment, _db.session.get(User, clerk_id), stage="intake", method="cash")
            _db.session.commit()

    assert race(app, db, workers, prepare, pay) == [None] * workers
    numbers = sorted(db.session.scalars(select(FeePayment.number)))
    assert numbers == list(range(1, workers * per_worker + 1))


def test_a_second_payment_of_the_same_fee_is_refused(db, create_dossier, user):
    dossier = create_dossier(clerk="hbmk.clerk", procedure="2.000815")
    with pytest.raises(OperationError, match="Không còn khoản phí"):
        collect_fee(assessment_of(dossier), user("hbmk.clerk"), stage="intake", method="cash")
    assert len(db.session.scalars(select(FeePayment)).all()) == 1
