"""Two acceptances of one online application at the same moment make one dossier (PostgreSQL and SQLite)."""
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Dossier
from onestop.online.models import OnlineApplication
from onestop.online.operations import accept_online_application, submit_application
from tests.conftest import vn
from tests.race import race

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_double_acceptance_makes_one_dossier(app, committed):
    db = committed
    desk = db.session.scalar(select(Agency.id).where(Agency.code == "HBMK"))
    clerk_id = db.session.scalar(select(User.id).where(User.username == "hbmk.clerk"))
    with clock.frozen(vn(2026, 12, 8, 9, 0)):
        application = submit_application(
            procedure_code="1.001193", desk_id=desk, delivery_method="desk",
            applicant=Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321",
                                address="5 Lê Lợi, Máy Tơ, Ngô Quyền"),
            uploads=[("declaration", "to-khai.pdf", PDF), ("birth_notice", "chung-sinh.pdf", PDF)])
    db.session.commit()
    application_id = application.id

    def load() -> tuple[User, OnlineApplication]:
        clerk = db.session.get(User, clerk_id)
        clerk.agency  # noqa: B018  (load it before the transaction ends)
        return clerk, db.session.get(OnlineApplication, application_id)

    def accept(loaded) -> str:
        clerk, found = loaded
        try:
            accept_online_application(found, clerk, ["birth_notice", "declaration"])
        except OperationError:
            db.session.rollback()
            return "already decided"
        db.session.commit()
        return "accepted"

    assert sorted(race(app, db, 2, load, accept)) == ["accepted", "already decided"]
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
