"""A land transfer (HP-DD-01T) walked by the demo staff up to its tax step, held by the tax system."""
from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action, receive_dossier
from onestop.extensions import db as _db
from onestop.workflows.engine import engine
from tests.conftest import APPLICANT

LAND_TAX = "HP-DD-01T"
#: (who, action) up to the tax step, in the version in force since 1 July 2025: ward desk, the land
#: registration office (the land department), ward cadastral officer, the land registration office
TO_TAX = [("hbmk.clerk", "forward"), ("stnmt.officer", "forward"), ("hbmk.officer", "forward"),
          ("stnmt.officer", "forward")]


def user(username: str) -> User:
    return _db.session.scalar(select(User).where(User.username == username))


def receive_land_transfer() -> Dossier:
    procedure = engine().procedure(LAND_TAX)
    dossier = receive_dossier(user("hbmk.clerk"), procedure_code=LAND_TAX, applicant=APPLICANT,
                              documents=[d.key for d in procedure.documents if d.required])
    _db.session.commit()
    return dossier


def walk_to_tax(dossier: Dossier) -> Dossier:
    for username, action in TO_TAX:
        perform_action(dossier, user(username), action, note="Đồng ý")
        _db.session.commit()
    assert dossier.step == "tax_office" and dossier.holder_agency.code == "HTTHUE"
    return dossier
