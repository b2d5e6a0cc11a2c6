"""A refused dossier waits in the desk's "refused" tab until the refusal slip (03) is handed over."""
from sqlalchemy import func, select

from onestop.dossiers.models import DossierEvent
from onestop.dossiers.operations import perform_action


def _refused(db, create_dossier, user):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")
    perform_action(dossier, user("hb.officer"), "refuse", note="Đất đang tranh chấp.")
    db.session.commit()
    return dossier


def test_the_refused_dossier_waits_in_the_desk_tab_until_the_slip_is_handed(client, login_as, db, create_dossier, user):
    dossier = _refused(db, create_dossier, user)
    login_as("hb.clerk")
    listed = f'href="/dossiers/{dossier.id}"'
    assert listed in client.get("/desk/?tab=refused").get_data(as_text=True)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="refusal-hand-over"' in page and f"/dossiers/{dossier.id}/slips/03" in page
    answer = client.post(f"/desk/dossiers/{dossier.id}/refusal-handed")
    assert answer.status_code == 302
    assert listed not in client.get("/desk/?tab=refused").get_data(as_text=True)
    assert 'data-testid="refusal-hand-over"' not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    again = client.post(f"/desk/dossiers/{dossier.id}/refusal-handed")
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.action == "refusal_handed")) == 1


def test_only_the_receiving_desk_hands_the_refusal(client, login_as, db, create_dossier, user):
    dossier = _refused(db, create_dossier, user)
    for who, status in (("hb.officer", 302), ("lc.clerk", 404)):
        login_as(who)
        assert client.post(f"/desk/dossiers/{dossier.id}/refusal-handed").status_code == status
    assert db.session.scalar(select(func.count()).select_from(DossierEvent).where(
        DossierEvent.action == "refusal_handed")) == 0
