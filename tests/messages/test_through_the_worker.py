"""The result-ready message goes through the outbox to a real Celery worker (Redis in server mode,
the filesystem transport in embedded mode), which writes the e-mail and the text message once."""
from pathlib import Path

from sqlalchemy import func, select

import worker.tasks  # noqa: F401  (registers the tasks)
from onestop.auth.models import User
from onestop.dossiers.operations import perform_action
from onestop.messages.models import CitizenMessage
from tests.conftest import APPLICANT
from tests.worker.test_real_worker import running_worker, wait_for  # noqa: F401  (the fixture)


def test_the_worker_tells_the_citizen_once(app, committed, running_worker, create_dossier, tmp_path,  # noqa: F811
                                           monkeypatch):
    db = committed
    monkeypatch.setitem(app.config, "ONESTOP_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setitem(app.config, "ONESTOP_SMS_DIR", str(tmp_path / "sms"))
    monkeypatch.setitem(app.config, "ONESTOP_SMTP_HOST", "")
    citizen = APPLICANT.__class__(**{**APPLICANT.__dict__, "email": "an@example.vn"})
    dossier = create_dossier(clerk="hbmk.clerk", procedure="2.000815", applicant=citizen)
    for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
        perform_action(dossier, db.session.scalar(select(User).where(User.username == username)), action, note="ok")
    dossier_id = dossier.id
    db.session.commit()  # the outbox rows go to the broker after this commit
    sent = select(func.count()).select_from(CitizenMessage).where(
        CitizenMessage.dossier_id == dossier_id, CitizenMessage.kind == "result_ready",
        CitizenMessage.sent_at.is_not(None))
    wait_for(db, sent, 2)
    mails = list(Path(tmp_path / "mail").glob("*.eml"))
    texts = list(Path(tmp_path / "sms").glob("*.txt"))
    assert len(mails) == 1 and len(texts) == 1
    assert "an@example.vn" in mails[0].read_text(encoding="utf-8")
    assert "To: +84912345678" in texts[0].read_text(encoding="utf-8")
