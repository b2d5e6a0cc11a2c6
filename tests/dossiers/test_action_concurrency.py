"""Two people pressing the same action on one dossier at the same moment move it once."""
import threading

from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import OperationError, perform_action


def test_a_double_forward_moves_the_dossier_once(app, committed, create_dossier):
    db = committed
    dossier_id = create_dossier().id
    clerk_id = db.session.scalar(select(User.id).where(User.username == "hb.clerk"))
    db.session.rollback()  # hold no transaction (SQLite: no write lock) while the two act
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def forward() -> None:
        try:
            with app.app_context():
                clerk = db.session.get(User, clerk_id)
                dossier = db.session.get(Dossier, dossier_id)
                dossier.holder_agency, clerk.agency  # noqa: B018  (loaded before the race)
                db.session.commit()
                barrier.wait(timeout=30)
                try:
                    perform_action(dossier, "forward", clerk)
                    db.session.commit()
                    outcomes.append("moved")
                except OperationError:
                    db.session.rollback()
                    outcomes.append("refused")
        except BaseException as exc:  # reported below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=forward) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["moved", "refused"]
    forwards = db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == dossier_id, DossierEvent.action == "forward"))
    assert forwards == 1
    assert db.session.get(Dossier, dossier_id).step_seq == 1
