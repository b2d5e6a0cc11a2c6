"""Public look-up, no login: dossier code (or online application reference) + last 4 digits of
the applicant's ID.

A wrong combination answers exactly like an unknown code, and the page shows only public-safe
facts: status, appointment, agency and date per step. Failures are throttled twice: per address and
code (guessing one dossier's digits: ``MAX_FAILURES``), and per address over all codes (sweeping
codes: ``MAX_ADDRESS_FAILURES``, much higher), so citizens sharing a ward's kiosk, or a proxy's
address, are not locked out by one of them mistyping.
"""
import hashlib

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.auth.access import access
from onestop.core.throttle import is_blocked, record
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.extensions import db
from onestop.online.models import OnlineApplication
from onestop.online.operations import REFERENCE_PREFIX
from onestop.public.forms import LookupForm
from onestop.workflows.engine import engine

bp = Blueprint("public", __name__, url_prefix="/tra-cuu")

NOT_FOUND = _l("Không tìm thấy hồ sơ với mã và số định danh đã nhập.")
#: failed look-ups one address may make over all codes in a window (a kiosk serves many citizens)
MAX_ADDRESS_FAILURES = 100
BLOCKED = _l("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")


@bp.route("/", methods=["GET", "POST"])
@access("public")
def lookup():
    """GET with ``?code=`` (the receipt's QR code) pre-fills the form; POST looks up."""
    form = LookupForm() if request.method == "POST" else LookupForm(request.args)
    if request.method == "GET":
        return render_template("public/lookup.html", form=form)
    if not form.validate():
        return render_template("public/lookup.html", form=form), 422
    address = request.remote_addr or "unknown"
    code = form.code.data.strip().upper()
    client = _client_key(address, code)
    if is_blocked(client) or is_blocked(address, MAX_ADDRESS_FAILURES):
        return render_template("public/lookup.html", form=form, message=BLOCKED), 429
    if code.startswith(REFERENCE_PREFIX):
        return _application(form, client, code)
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code).options(
        selectinload(Dossier.events).selectinload(DossierEvent.to_agency)))
    if dossier is None or not dossier.applicant_id_number.endswith(form.id_tail.data):
        return _not_found(form, client)
    procedure = engine().procedure(dossier.procedure_code)
    steps = [(e.at, e.to_agency.name, procedure.step(e.to_step).name)
             for e in dossier.events if e.is_move]
    return render_template("public/lookup.html", form=form, dossier=dossier, procedure=procedure, steps=steps)


def _application(form: LookupForm, client: str, reference: str):
    """An online application: waiting, accepted (with the dossier code to look up next) or refused."""
    application = db.session.scalar(select(OnlineApplication).where(OnlineApplication.reference == reference)
                                    .options(selectinload(OnlineApplication.dossier)))
    if application is None or not application.applicant_id_number.endswith(form.id_tail.data):
        return _not_found(form, client)
    return render_template("public/lookup.html", form=form, application=application,
                           procedure=engine().procedure(application.procedure_code))


def _client_key(address: str, code: str) -> str:
    """The throttle's key of one address trying one code (hashed: the key column is short)."""
    return "code:" + hashlib.sha256(f"{address} {code}".encode()).hexdigest()[:40]


def _not_found(form: LookupForm, client: str):
    """The one answer to an unknown code and to a wrong combination, counted against the address
    trying the code and against the address."""
    record(client)
    record(request.remote_addr or "unknown")
    db.session.commit()
    return render_template("public/lookup.html", form=form, message=NOT_FOUND), 404
