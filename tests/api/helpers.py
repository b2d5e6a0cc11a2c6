"""Small factories for the API's tests: a client with a token, and the bodies the calls take."""
import base64
from datetime import timedelta

from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.api.clients import register_client
from onestop.api.models import ApiClient
from onestop.core import clock
from onestop.extensions import db as _db

ALL_SCOPES = ["catalogue:read", "applications:write", "dossiers:read", "steps:act"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BIRTH = "1.001193"
APPLICANT = {"name": "Trần Thị Bình", "id_number": "031190004321", "phone": "0987654321",
             "address": "5 Lê Lợi, Máy Tơ, Ngô Quyền", "email": "binh@example.vn"}


def agency(code: str) -> Agency:
    return _db.session.scalar(select(Agency).where(Agency.code == code))


def make_client(agency_code: str = "HP", scopes=None, *, days: float = 30, name: str = "Cổng dịch vụ công"
                ) -> tuple[ApiClient, str]:
    client, token = register_client(name=name, agency=agency(agency_code), scopes=list(scopes or ALL_SCOPES),
                                    expires_at=clock.now() + timedelta(days=days), admin=None)
    _db.session.commit()
    return client, token


def auth(token: str, **more) -> dict:
    return {"Authorization": f"Bearer {token}", **more}


def b64(data: bytes = PDF) -> str:
    return base64.b64encode(data).decode()


def application_body(**changes) -> dict:
    body = {"procedure_code": BIRTH, "desk": "HBMK", "applicant": dict(APPLICANT), "delivery_method": "desk",
            "files": [{"document": "declaration", "filename": "Tờ khai.pdf", "content": b64()},
                      {"document": "birth_notice", "filename": "Giấy chứng sinh.pdf", "content": b64()}]}
    body.update(changes)
    return body


def handover_body(reference: str = "QNI-2026-000123", **changes) -> dict:
    body = {"sender_reference": reference, "procedure_code": BIRTH, "desk": "HBMK", "applicant": dict(APPLICANT),
            "documents": ["declaration", "birth_notice"], "delivery_method": "desk",
            "note": "Chuyển từ hệ thống một cửa tỉnh Quảng Ninh"}
    body.update(changes)
    return body
