"""The tree check of running dossiers: no change of the agency tree may leave one without a holder.

Registered with ``agencies.operations.tree_check``, it runs after an edit or a closure is flushed
and before it is kept. Refused: a closed agency that holds an open dossier, and any step of a
running dossier's procedure whose holder rule no longer resolves from the desk that received it
(every step, not only the current one: a dossier may be sent back). The rules are resolved in
memory against one snapshot of the tree, per (procedure, version, receiving desk, competent unit):
the version each dossier was received under.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.agencies.operations import tree_check
from onestop.dossiers.models import Dossier
from onestop.extensions import db
from onestop.workflows.engine import engine
from onestop.workflows.holders import AgencyTree


@tree_check
def running_dossiers_keep_holders() -> str | None:
    held = db.session.execute(select(Dossier.code, Agency.name).join(Agency, Agency.id == Dossier.holder_agency_id)
                              .where(Dossier.is_open, ~Agency.active).limit(1)).first()
    if held is not None:
        return _("%(agency)s đang giữ hồ sơ %(code)s chưa kết thúc: chuyển hoặc kết thúc các hồ sơ trước.",
                 agency=held[1], code=held[0])
    tree = AgencyTree.load()
    rows = db.session.execute(select(Dossier.procedure_code, Dossier.procedure_version, Dossier.receiving_agency_id,
                                     Dossier.competent_agency_id).where(Dossier.is_open).distinct()).all()
    for code, version, desk_id, competent_id in rows:
        desk = tree.nodes.get(desk_id)
        if desk is None or not engine().has(code):
            continue
        competent = tree.nodes.get(competent_id) if competent_id is not None else None
        problem = engine().routing_problem(engine().procedure(code, version), desk, tree, competent)
        if problem:
            example = db.session.scalar(select(Dossier.code).where(
                Dossier.is_open, Dossier.procedure_code == code, Dossier.procedure_version == version,
                Dossier.receiving_agency_id == desk_id, Dossier.competent_agency_id.is_(None) if competent_id is None
                else Dossier.competent_agency_id == competent_id).limit(1))
            return _("Hồ sơ %(code)s đang giải quyết sẽ không có nơi xử lý: %(problem)s.", code=example,
                     problem=str(problem))
    return None
