"""A second onestop instance with an empty database of its own (the target of a restore), and a
population of dossiers and files in every state (the source of a backup)."""
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from onestop import create_app
from onestop.agencies.models import Agency
from onestop.attachments.operations import add_attachment, remove_attachment
from onestop.auth.models import User
from onestop.consultations.operations import request_consultation
from onestop.dossiers.operations import perform_action, receive_dossier, return_result
from onestop.extensions import db
from onestop.fees.operations import collect_due
from onestop.online.operations import accept_online_application, refuse_online_application, submit_application
from onestop.ops.database import reading
from tests.conftest import APPLICANT, COPY, LAND, LAND_DOCS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BIRTH, BIRTH_DOCS = "1.001193", ["birth_notice", "declaration"]


def pdf(n: int) -> bytes:
    return PDF + f"% file {n}\n".encode()


@contextmanager
def empty_instance(app, tmp_path: Path):
    """``create_app`` on a new, empty database (PostgreSQL: ``<test database>_restore``; SQLite: a new
    file) and an empty attachments folder; the first app's Celery stays the default afterwards."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        name = f"{url.database}_restore"
        admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        admin, name, target = None, None, f"sqlite:///{tmp_path / 'restored.db'}"
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": "test",
                        "ONESTOP_DISPATCH_ON_COMMIT": False, "ONESTOP_ATTACHMENT_DIR": str(tmp_path / "restored-files")})
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        app.extensions["celery"].set_default()
        if admin:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def populate() -> None:
    """Dossiers processing (with files and a consultation), waiting for a supplement, done (with a file
    attached then removed), refused, withdrawn; online applications waiting, refused and accepted (whose
    files became a dossier's attachments). Committed."""
    clerk, ward_clerk, officer = _user("hb.clerk"), _user("hbmk.clerk"), _user("hb.officer")
    land = receive_dossier(clerk, procedure_code=LAND, applicant=APPLICANT, documents=LAND_DOCS)
    add_attachment(land, clerk, filename="Đơn đề nghị.pdf", data=pdf(1), document="application")
    perform_action(land, clerk, "forward")
    add_attachment(land, officer, filename="Biên bản kiểm tra.pdf", data=pdf(2))
    request_consultation(land, officer, db.session.scalar(select(Agency).where(Agency.code == "STNMT")),
                         "Xin ý kiến về ranh giới thửa đất.")
    waiting = receive_dossier(clerk, procedure_code=LAND, applicant=APPLICANT, documents=LAND_DOCS)
    perform_action(waiting, clerk, "forward")
    perform_action(waiting, officer, "request_supplement", note="Thiếu trích đo thửa đất")
    done = receive_dossier(ward_clerk, procedure_code=COPY, applicant=APPLICANT, documents=["original", "copy"])
    scan = add_attachment(done, ward_clerk, filename="Bản sao.pdf", data=pdf(3))
    remove_attachment(scan, ward_clerk)
    perform_action(done, ward_clerk, "forward")
    perform_action(done, _user("hbmk.officer"), "forward")
    perform_action(done, _user("hbmk.supervisor"), "sign")
    collect_due(done, ward_clerk, method="cash", reference=None)
    return_result(done, ward_clerk, recipient="Nguyễn Văn An")
    refused = receive_dossier(ward_clerk, procedure_code=COPY, applicant=APPLICANT, documents=["original", "copy"])
    perform_action(refused, ward_clerk, "refuse", note="Bản chính bị tẩy xoá")
    withdrawn = receive_dossier(ward_clerk, procedure_code=COPY, applicant=APPLICANT, documents=["original", "copy"])
    perform_action(withdrawn, ward_clerk, "withdraw", note="Công dân rút hồ sơ")
    desk = db.session.scalar(select(Agency.id).where(Agency.code == "HBMK"))
    filed = [submit_application(procedure_code=BIRTH, desk_id=desk, applicant=APPLICANT, delivery_method="desk",
                                uploads=[("declaration", "Tờ khai.pdf", pdf(10 + 2 * i)),
                                         ("birth_notice", "Giấy chứng sinh.pdf", pdf(11 + 2 * i))])
             for i in range(3)]
    db.session.commit()
    accept_online_application(filed[0], ward_clerk, BIRTH_DOCS)
    refuse_online_application(filed[1], ward_clerk, "Ảnh tờ khai không đọc được")
    db.session.commit()


#: what must come back identical, row by row
COMPARED = ("dossiers", "dossier_events", "attachments", "online_applications", "online_application_files",
            "consultations", "notifications", "outbox", "agencies", "users")


def rows(engine) -> dict[str, dict]:
    """Every row of the compared tables, by primary key, as plain values."""
    out = {}
    with reading(engine) as conn:
        for table in COMPARED:
            key = [c.name for c in db.metadata.tables[table].primary_key.columns]
            result = conn.exec_driver_sql(f"SELECT * FROM {table}").mappings()
            out[table] = {tuple(r[k] for k in key): dict(r) for r in result}
    return out


def file_bytes(folder: Path, names) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in names}


def stored_names(table_rows: dict[str, dict]) -> set[str]:
    return {r["stored_name"] for t in ("attachments", "online_application_files") for r in table_rows[t].values()}
