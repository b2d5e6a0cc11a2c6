"""Finding what a call names, inside the caller's scope: outside it is the same 404 as unknown."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BaseConverter

from onestop.agencies.models import Agency
from onestop.api.auth import in_subtree, scope_of
from onestop.api.models import ApiClient
from onestop.api.problems import Problem
from onestop.dossiers.models import Dossier
from onestop.dossiers.scope import dossier_scope
from onestop.extensions import db
from onestop.workflows.engine import engine
from onestop.workflows.holders import AgencyTree


class CodeConverter(BaseConverter):
    """A dossier, procedure or application code in a path: letters, digits, ``.``, ``_``, ``-``."""
    regex = r"[A-Za-z0-9._\-]{1,40}"


def code_param_schema(converter) -> dict:
    return {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,40}$"}


def dossier_in_scope(client: ApiClient, code: str) -> Dossier:
    query = select(Dossier).where(Dossier.code == code.upper(), dossier_scope(scope_of(client)))
    dossier = db.session.scalar(query)
    if dossier is None:
        raise Problem(404, "not_found")
    return dossier


def desk_in_scope(client: ApiClient, code: str) -> Agency | None:
    """The desk of that code, when it is one and lies in the client's subtree."""
    desk = db.session.scalar(select(Agency).where(Agency.code == code.upper(), Agency.has_desk)
                             .options(joinedload(Agency.parent)))
    if desk is None or not in_subtree(client, desk):
        return None
    return desk


def desks_for(client: ApiClient, procedure_code: str) -> list[Agency]:
    """The desks in the client's subtree that can receive the procedure (one load of the tree)."""
    tree = AgencyTree.current()
    root = client.agency.path
    ids = [n.id for n in tree.nodes.values() if n.has_desk and n.path.startswith(root)
           and procedure_code not in engine().intake_problems(n, tree)]
    if not ids:
        return []
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.path, Agency.code)))
