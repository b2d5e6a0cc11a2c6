"""The audit trail: what is recorded (administrative changes, downloads, citizen look-ups), and the
admin's page: filters, paging, the XLSX export with safe cells; admins only."""
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from onestop.attachments.operations import add_attachment
from onestop.core import audit, clock
from onestop.core.audit import AuditEntry
from tests.conftest import vn
from tests.factories import by_username

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _kinds(db) -> list[str]:
    return db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.id)).all()


def test_downloads_and_citizen_look_ups_are_recorded(app, db, client, login_as, create_dossier):
    dossier = create_dossier()
    attachment = add_attachment(dossier, by_username("hb.clerk"), filename="don.pdf", data=PDF, document="application")
    db.session.commit()
    login_as("hb.clerk")
    download = client.get(f"/dossiers/{dossier.id}/attachments/{attachment.id}")
    download.get_data()
    download.close()
    assert download.status_code == 200
    assert client.get(f"/desk/api/citizens/{dossier.applicant_id_number}").status_code == 200
    assert client.get("/desk/api/citizens/031099999999").status_code == 404
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.kind.in_(
        ("attachment.download", "citizen.lookup"))).order_by(AuditEntry.id)).all()
    assert [(r.kind, r.target) for r in rows] == [
        ("attachment.download", f"attachment:{attachment.id}"),
        ("citizen.lookup", f"citizen:{dossier.applicant_id_number}"), ("citizen.lookup", "citizen:031099999999")]
    assert all(r.actor_id == by_username("hb.clerk").id for r in rows)


def test_reminder_rules_keep_their_author_and_history(db, client, login_as):
    admin = login_as("admin")
    form = {"scope": "*", "due_soon_percent": "60", "remind_overdue": "y", "escalate_days": "2",
            "escalate_parent_days": "4"}
    assert client.post("/admin/reminders", data=form).status_code == 302
    assert client.post("/admin/reminders", data={**form, "due_soon_percent": "50"}).status_code == 302
    assert client.post("/admin/reminders/*/delete").status_code == 302
    from onestop.dossiers.rules import ReminderRule

    rows = db.session.scalars(select(ReminderRule).order_by(ReminderRule.id)).all()
    assert [r.due_soon_percent for r in rows] == [60, 50] and all(r.removed_at for r in rows)
    assert all(r.created_by_id == admin.id and r.removed_by_id == admin.id for r in rows)
    saved = db.session.scalars(select(AuditEntry).where(AuditEntry.kind.like("reminder_rule.%"))
                               .order_by(AuditEntry.id)).all()
    assert [e.kind for e in saved] == ["reminder_rule.save", "reminder_rule.save", "reminder_rule.remove"]
    assert saved[1].before["due_soon_percent"] == 60 and saved[1].after["due_soon_percent"] == 50


def _entries(db):
    officer = by_username("hb.officer")
    with clock.frozen(vn(2026, 12, 1, 9)):
        audit.record("user.update", actor=by_username("admin"), target=f"user:{officer.id}",
                     before={"full_name": "A"}, after={"full_name": '=HYPERLINK("http://evil.example")\x1b'})
    with clock.frozen(vn(2026, 12, 5, 9)):
        audit.record("auth.login", actor=officer, target=f"user:{officer.id}")
        audit.record("auth.login_failed", actor_label="login:nobody")
    db.session.flush()


def test_the_page_filters_by_person_kind_and_date(db, client, login_as):
    _entries(db)
    login_as("admin")
    page = client.get("/admin/audit/?person=hb.officer").get_data(as_text=True)
    assert 'data-kind="auth.login"' in page and 'data-kind="user.update"' in page  # by them, and about them
    assert 'data-kind="auth.login_failed"' not in page
    page = client.get("/admin/audit/?kind=auth").get_data(as_text=True)
    assert 'data-kind="auth.login"' in page and 'data-kind="user.update"' not in page
    page = client.get("/admin/audit/?from=2026-12-04&to=2026-12-05").get_data(as_text=True)
    assert 'data-kind="auth.login"' in page and 'data-kind="user.update"' not in page
    page = client.get("/admin/audit/?person=nobody").get_data(as_text=True)
    assert 'data-kind="auth.login_failed"' in page
    for bad in ("?from=9999-99-99", "?from=0001-01-01", "?to=%20", "?page=99999999999999999999", "?person=%00",
                "?kind=%25"):
        assert client.get("/admin/audit/" + bad).status_code == 200, bad


def test_the_export_opens_and_its_cells_are_safe(db, client, login_as):
    _entries(db)
    login_as("admin")
    answer = client.get("/admin/audit/export.xlsx?from=2026-12-01&to=2026-12-31")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(answer.get_data())).active.iter_rows(values_only=True))
    assert rows[0][0] == "Thời gian" and len(rows) == 4
    cells = [str(c) for row in rows for c in row if c is not None]
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert not any("\x1b" in c for c in cells)
    assert any(c.startswith("'") or "HYPERLINK" in c for c in cells)


def test_only_admins_see_the_trail(db, client, login_as):
    for username in ("hp.supervisor", "hb.officer", "hb.clerk"):
        login_as(username)
        assert client.get("/admin/audit/").status_code == 404
        assert client.get("/admin/audit/export.xlsx").status_code == 404


def test_a_date_in_the_calendar_is_recorded_by_who_set_it(db, client, login_as):
    admin = login_as("admin")
    with clock.frozen(vn(2026, 8, 1, 9)):
        client.post("/admin/calendar/overrides", data={"day": "14/08/2026", "kind": "off", "note": "Bão"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "calendar.override_add"))
    assert entry.actor_id == admin.id and entry.after == {"day": date(2026, 8, 14).isoformat(), "is_working": False,
                                                          "note": "Bão"}
