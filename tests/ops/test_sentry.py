"""Error reports go to Sentry only when ``ONESTOP_SENTRY_DSN`` is set, with ID and phone numbers masked.

Each case runs in a process of its own (sentry-sdk is set up once per process), reporting to a small
HTTP server on this machine that stands where Sentry's ingestion endpoint would be."""
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import sentry_sdk
from onestop import create_app
app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

@app.get("/boom")
def boom():
    raise RuntimeError("applicant 031090001234 phoned from 0912 345 678")

print("active", sentry_sdk.get_client().is_active())
print("status", app.test_client().get("/boom").status_code)
sentry_sdk.flush(timeout=10)
"""


class Ingest(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (the http.server interface)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # sentry-sdk compresses with brotli when the module is there
            import brotli

            body = brotli.decompress(body)
        Ingest.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def run(app, tmp_path, **env) -> str:
    environment = {**os.environ, "ONESTOP_INSTANCE_PATH": str(tmp_path),
                   "ONESTOP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], **env}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_without_a_dsn_nothing_is_set_up(app, tmp_path):
    out = run(app, tmp_path, ONESTOP_SENTRY_DSN="")
    assert "active False" in out and "status 500" in out


def test_with_a_dsn_an_error_is_reported_with_the_numbers_masked(app, tmp_path):
    Ingest.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = run(app, tmp_path, ONESTOP_SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42")
    finally:
        server.shutdown()
        server.server_close()
    assert "active True" in out and "status 500" in out
    events = [json.loads(line) for body in Ingest.received for line in body.splitlines()
              if line.startswith(b"{") and b'"exception"' in line]
    assert events, Ingest.received
    text = json.dumps(events)
    value = events[0]["exception"]["values"][-1]
    assert value["type"] == "RuntimeError" and value["value"] == "applicant *** phoned from ***"
    assert "031090001234" not in text and "345 678" not in text
    assert "cookies" not in events[0].get("request", {}) and "user" not in events[0]
