"""Two sweeps at once, and a sweep run again, add each notification exactly once (real commits)."""
import threading

from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.core import clock
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action, route
from onestop.notifications.sweep import sweep
from tests.conftest import vn

DOSSIERS = 4


def _user(db, username: str) -> User:
    # not the ``user`` fixture: it brings the rolled-back ``db`` session, which every thread would share
    return db.session.scalar(select(User).where(User.username == username))


def _overdue_dossiers(db, create_dossier) -> list[int]:
    ids = []
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        for _ in range(DOSSIERS):
            dossier = create_dossier()
            perform_action(dossier, _user(db, "hb.clerk"), "forward")
            route(dossier.id, dossier.step_seq)
            db.session.commit()
            ids.append(dossier.id)
    db.session.rollback()  # SQLite: no open transaction while the threads write
    return ids


def _reminders(db, ids) -> int:
    count = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.dossier_id.in_(ids), Notification.kind != "assigned"))
    db.session.rollback()
    return count


def _sweep_in_threads(app, db, n: int) -> list[dict]:
    barrier = threading.Barrier(n)
    results: list[dict] = []
    errors: list[BaseException] = []

    def work():
        with app.app_context():
            try:
                barrier.wait()
                results.append(sweep())
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_sweeps_at_once_and_a_rerun_send_each_reminder_once(app, committed, create_dossier):
    db = committed
    ids = _overdue_dossiers(db, create_dossier)
    expected = DOSSIERS * 3  # the officer (3 days overdue), the district's and the city's supervisors
    with clock.frozen(vn(2026, 12, 17, 15, 0)):
        results = _sweep_in_threads(app, db, 2)
        assert _reminders(db, ids) == expected
        assert sum(sum(r.values()) for r in results) == expected
        assert sorted(bool(r) and sum(r.values()) > 0 for r in results) == [False, True]  # one did the work
        again = _sweep_in_threads(app, db, 3)
        assert sum(sum(r.values()) for r in again) == 0
        assert _reminders(db, ids) == expected
