"""Public look-up, no login: dossier code (or online application reference) + last 4 digits of
the applicant's ID (an organisation's tax code), or of the submitter's, as the procedure says.

A wrong combination answers exactly like an unknown code, and the page shows only public-safe
facts: status, appointment, agency and date per step. Failures are throttled twice: per address and
code (guessing one dossier's digits: ``MAX_FAILURES``), and per address over all codes (sweeping
codes: ``MAX_ADDRESS_FAILURES``, much higher), so citizens sharing a ward's kiosk, or a proxy's
address, are not locked out by one of them mistyping. Once the result is signed electronically
the citizen downloads it from here (a signed link valid for an hour, given only after the digits
matched), and once it is handed back they may rate the service here, once.
"""
import hashlib

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.auth.access import access
from onestop.core import storage
from onestop.core.submit import submit
from onestop.core.throttle import is_blocked, record
from onestop.dossiers.models import Dossier, DossierEvent, Status
from onestop.extensions import db
from onestop.online.models import OnlineApplication
from onestop.online.operations import REFERENCE_PREFIX
from onestop.public.forms import LookupForm
from onestop.ratings.forms import LookupRatingForm
from onestop.ratings.models import BAD_REASONS, GOOD_REASONS
from onestop.ratings.operations import may_be_rated, rate
from onestop.results.models import SignedResult
from onestop.results.operations import current_result
from onestop.workflows.engine import engine

bp = Blueprint("public", __name__, url_prefix="/tra-cuu")

NOT_FOUND = _l("Không tìm thấy hồ sơ với mã và số định danh đã nhập.")
#: failed look-ups one address may make over all codes in a window (a kiosk serves many citizens)
MAX_ADDRESS_FAILURES = 100
BLOCKED = _l("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
#: how long the download link of an e-result works after the look-up gave it
RESULT_LINK_SECONDS = 3600


def _links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="e-result-download")


def _client() -> str:
    return request.remote_addr or "unknown"


def _find(code: str, tail: str) -> Dossier | None:
    """The dossier of that code whose digits match, with its history; None otherwise."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code).options(
        selectinload(Dossier.events).selectinload(DossierEvent.to_agency)))
    if dossier is None or not engine().has(dossier.procedure_code):
        return None
    lookup_by = engine().of(dossier).lookup_by
    return dossier if dossier.applicant.opens_lookup(tail, lookup_by) else None


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
    dossier = _find(code, form.id_tail.data)
    if dossier is None:
        return _not_found(form, client)
    return _show(form, dossier)


def _show(form, dossier: Dossier, *, rating_form=None, message: str | None = None, status: int = 200,
          thanks: bool = False):
    procedure = engine().of(dossier)
    steps = [(e.at, e.to_agency.name, procedure.step(e.to_step).name)
             for e in dossier.events if e.is_move]
    result = current_result(dossier)
    result_link = None
    if result is not None and (dossier.status == Status.DONE or procedure.step(dossier.step).action("return_result")):
        result_link = _links().dumps({"d": dossier.id, "r": result.id})
    if rating_form is None and may_be_rated(dossier):
        rating_form = LookupRatingForm(formdata=None, code=dossier.code, id_tail=form.id_tail.data)
    return render_template("public/lookup.html", form=form, dossier=dossier, procedure=procedure, steps=steps,
                           result=result, result_link=result_link, message=message, thanks=thanks,
                           rating_form=rating_form if may_be_rated(dossier) else None,
                           good=GOOD_REASONS, bad=BAD_REASONS), status


def _application(form: LookupForm, client: str, reference: str):
    """An online application: waiting, accepted (with the dossier code to look up next) or refused."""
    application = db.session.scalar(select(OnlineApplication).where(OnlineApplication.reference == reference)
                                    .options(selectinload(OnlineApplication.dossier)))
    if application is None or not engine().has(application.procedure_code):
        return _not_found(form, client)
    procedure = engine().procedure(application.procedure_code)
    if not application.applicant.opens_lookup(form.id_tail.data, procedure.lookup_by):
        return _not_found(form, client)
    return render_template("public/lookup.html", form=form, application=application, procedure=procedure)


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


@bp.get("/ket-qua/<token>")
@access("public")
def result_file(token: str):
    """The signed result, through the link the look-up gave once the digits matched."""
    try:
        ids = _links().loads(token, max_age=RESULT_LINK_SECONDS)
        result = db.session.get(SignedResult, int(ids["r"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        abort(404)
    if result is None or result.dossier_id != ids.get("d") or not result.is_current:
        abort(404)
    return storage.serve(result)


@bp.post("/danh-gia")
@access("public")
def rating():
    """The citizen rates a finished dossier from the look-up: the code and digits are checked again."""
    form = LookupRatingForm()
    lookup_form = LookupForm(formdata=None, code=form.code.data, id_tail=form.id_tail.data)
    client = _client()
    if is_blocked(client):
        return render_template("public/lookup.html", form=lookup_form, message=BLOCKED), 429
    if not (form.code.validate(form) and form.id_tail.validate(form)):
        return _not_found(lookup_form, client)
    dossier = _find((form.code.data or "").strip().upper(), form.id_tail.data)
    if dossier is None:
        return _not_found(lookup_form, client)
    if not form.validate():
        return _show(lookup_form, dossier, rating_form=form, status=422)
    dossier_id = dossier.id
    return submit(lambda: rate(dossier, None, satisfied=form.satisfied.data == "yes", reasons=form.reasons.data or [],
                               comment=form.comment.data, via="lookup"),
                  then=lambda _rating: _show(lookup_form, dossier, thanks=True),
                  otherwise=lambda reason: _show(lookup_form, db.session.get(Dossier, dossier_id), message=reason,
                                                 status=422))

