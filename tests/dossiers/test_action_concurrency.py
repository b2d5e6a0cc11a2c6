"""Two people pressing the same action on one dossier at the same moment move it once."""
from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.core.errors import OperationError
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import perform_action
from tests.race import race


def test_a_double_forward_moves_the_dossier_once(app, committed, create_dossier):
    db = committed
    dossier_id = create_dossier().id
    clerk_id = db.session.scalar(select(User.id).where(User.username == "hb.clerk"))

    def load() -> tuple[User, Dossier]:
        clerk = db.session.get(User, clerk_id)
        dossier = db.session.get(Dossier, dossier_id)
        dossier.holder_agency, clerk.agency  # noqa: B018  (loaded before the race)
        return clerk, dossier

    def forward(loaded) -> str:
        clerk, dossier = loaded
        try:
            perform_action(dossier, clerk, "forward")
        except OperationError:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "moved"

    assert sorted(race(app, db, 2, load, forward)) == ["moved", "refused"]
    forwards = db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier_id, DossierEvent.action == "forward"))
    assert forwards == 1
    assert db.session.get(Dossier, dossier_id).step_seq == 1
