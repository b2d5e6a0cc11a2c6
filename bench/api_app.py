"""The app the API bench serves with gunicorn: onestop itself, plus one bare endpoint beside the API.

``POST /bench/bare-insert`` takes the same JSON body as ``POST /api/v1/applications`` and does only
what no submission can do without: parse the JSON, decode the files, write them to disk, insert the
application's row and its files' rows, commit. No token, validation, scope, idempotency key, audit
line nor rate limit: the floor the API's own work is measured against, in the same processes, on
the same database pool.
"""
import base64
import hashlib
import secrets

from flask import json, request
from sqlalchemy import insert

from onestop import create_app
from onestop.core import clock, storage
from onestop.extensions import csrf, db
from onestop.online.models import OnlineApplication, OnlineApplicationFile
from onestop.online.operations import _ALPHABET  # the references' own alphabet: as rare collisions as the API's

app = create_app()


@app.post("/bench/bare-insert")
@csrf.exempt
def bare_insert():
    body = json.loads(request.get_data())
    now = clock.now()
    applicant = body["applicant"]
    application_id = db.session.execute(insert(OnlineApplication).values(
        reference=f"TT-{now:%y%m%d}-{''.join(secrets.choice(_ALPHABET) for _ in range(6))}", status="submitted",
        procedure_code=body["procedure_code"], desk_agency_id=app.config["BENCH_DESK_ID"],
        applicant_name=applicant["name"], applicant_id_number=applicant["id_number"],
        applicant_phone=applicant["phone"], applicant_email=applicant.get("email"),
        applicant_address=applicant["address"], documents=sorted(f["document"] for f in body["files"]),
        delivery_method=body.get("delivery_method", "desk"), submitted_at=now,
    ).returning(OnlineApplication.id)).scalar_one()
    rows = []
    for file in body["files"]:
        data = base64.b64decode(file["content"])
        stored = storage.save(data, "application/pdf")
        rows.append({"application_id": application_id, "document": file["document"], "stored_name": stored.stored_name,
                     "filename": file["filename"], "content_type": stored.content_type, "size": len(data),
                     "sha256": hashlib.sha256(data).hexdigest()})
    db.session.execute(insert(OnlineApplicationFile), rows)
    db.session.commit()
    return {"id": application_id}, 201


with app.app_context():
    from sqlalchemy import select

    from onestop.agencies.models import Agency

    app.config["BENCH_DESK_ID"] = db.session.scalar(select(Agency.id).where(Agency.code == "HBMK"))
    db.session.remove()
