"""Every answer carries the security headers; pages with personal data are never cached."""
from onestop import create_app

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_pages_carry_the_headers_and_are_not_cached(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    for url in ("/login", f"/dossiers/{dossier.id}", "/tra-cuu/", "/desk/"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin" and headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.css")
    static.close()
    assert static.headers.get("Cache-Control") != "no-store" and static.headers["X-Content-Type-Options"] == "nosniff"


def test_a_stored_file_keeps_its_sandbox(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    from io import BytesIO
    client.post(f"/dossiers/{dossier.id}/attachments/", data={"file": (BytesIO(PDF), "a.pdf"), "document": ""},
                content_type="multipart/form-data")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    import re
    link = re.search(r'href="(/dossiers/\d+/attachments/\d+)"', page).group(1)
    served = client.get(link)
    served.close()
    headers = served.headers
    assert headers["Content-Security-Policy"].startswith("sandbox") and headers["Cache-Control"] == "private, no-store"


def test_no_inline_script_or_handler_in_any_template():
    import re
    from pathlib import Path
    for template in Path("onestop/templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=\"", text), template


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(app):
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "ONESTOP_PROXY_HOPS": 1, "TESTING": True})

    @proxied.get("/_address")
    def address():
        from flask import request
        return request.remote_addr or ""

    answer = proxied.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.7"},
                                       environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert answer.get_data(as_text=True) == "203.0.113.7"
    assert app.test_client().get("/tra-cuu/", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
