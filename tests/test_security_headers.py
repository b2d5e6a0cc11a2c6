"""Every answer carries the security headers; pages with personal data are never cached."""
from onestop.web import trust_proxies

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


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(app, client, monkeypatch):
    """With ONESTOP_PROXY_HOPS=1 the throttle and the audit see the forwarded address (the session
    app is wrapped for the test and unwrapped after: a second app would share the blueprints)."""
    seen = []
    monkeypatch.setattr("onestop.public.views.is_blocked", lambda key, *limit: seen.append(key) or False)
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    client.post("/tra-cuu/", data={"code": "HB-1", "id_tail": "1234"}, headers=forwarded)
    assert "203.0.113.7" not in seen  # no proxy is trusted by default
    monkeypatch.setitem(app.config, "ONESTOP_PROXY_HOPS", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
    trust_proxies(app)
    client.post("/tra-cuu/", data={"code": "HB-1", "id_tail": "1234"}, headers=forwarded)
    assert "203.0.113.7" in seen
