"""The database, not the broker, says which dossiers still wait for routing.

A dossier that enters a step held by someone other than its mover is left unassigned and a
``route_dossier`` message is written to the outbox. That message can be lost after it left the
outbox: a worker killed (``kill -9``) while it held it, a broker restarted without persistence, a
bug. Redis hands back what a dead worker held only after the visibility timeout, and nothing hands
back a message gone for good. So the beat calls ``reroute_unassigned``: every open dossier that sits
unassigned at a step entered more than a grace period ago is routed again. ``route`` is idempotent
(it locks the row and does nothing once the dossier is assigned or has moved on), so a message that
arrives afterwards, or a second beat, changes nothing: each dossier gets one assignment.

Left out, because nobody routes it in the first place: a dossier still at its first step (one handed
over by another system waits, unassigned, in the desk's queue). A step another system holds is
routed to that system's account like any other. A dossier that no one can take yet (every officer
of the role away) is tried again at each beat, and assigned as soon as someone is back.
"""
import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from onestop.dossiers.models import OPEN_STATUSES, Dossier
from onestop.dossiers.operations import route
from onestop.extensions import db

log = logging.getLogger(__name__)


def stranded(now: datetime, grace_seconds: float, limit: int = 500) -> list[tuple[int, int]]:
    """(id, step_seq) of the open dossiers unassigned at a routed step for longer than the grace,
    oldest first; one query on the partial index of unassigned open dossiers."""
    query = (select(Dossier.id, Dossier.step_seq)
             .where(Dossier.status.in_(OPEN_STATUSES), Dossier.assignee_id.is_(None), Dossier.step_seq > 0,
                    Dossier.step_started_at < now - timedelta(seconds=grace_seconds))
             .order_by(Dossier.step_started_at, Dossier.id).limit(limit))
    return [tuple(row) for row in db.session.execute(query).all()]


def reroute_unassigned(now: datetime, grace_seconds: float, limit: int = 500) -> int:
    """Route each stranded dossier again, each in its own transaction (one dossier's lock is held only
    while it is routed); returns how many were assigned. Commits. One that fails is logged and
    left for the next beat: it must not keep the others waiting."""
    found = stranded(now, grace_seconds, limit)
    db.session.rollback()
    assigned = 0
    for dossier_id, step_seq in found:
        try:
            assigned += route(dossier_id, step_seq) is not None
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("dossier %s (move %s): routing again failed", dossier_id, step_seq)
    return assigned
