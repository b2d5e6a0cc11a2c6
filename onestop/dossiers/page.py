"""The dossier page, assembled from panels.

The page shows what every dossier has (its facts, checklist, slips and history); each feature that
adds something to it (the actions of casework, the clock and extension requests, attachments,
consultations, the diagram) registers a panel here: a template and a function that loads what the
template needs. The features' views re-render the whole page, with their form and its errors, by
calling ``render_dossier_page``; the page does not import the features, the features import the page.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.dossiers.clock import clock_of
from onestop.dossiers.details import shown
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.extensions import db
from onestop.workflows.diagrams import mermaid, passed_steps
from onestop.workflows.engine import engine


@dataclass(frozen=True)
class Panel:
    #: the template included for it
    template: str
    #: ``side``: beside the dossier's facts; ``main``: below them, in ``order``
    slot: str
    order: int
    #: ``load(dossier, user, forms)`` → the panel's template context; ``forms`` are those the view passed
    load: Callable[[Dossier, object, dict], dict]


PANELS: list[Panel] = []


def panel(template: str, *, slot: str = "main", order: int = 50):
    """Register ``load`` as the loader of a panel of the dossier page."""
    def register(load):
        PANELS.append(Panel(template, slot, order, load))
        PANELS.sort(key=lambda p: (p.slot, p.order))
        return load
    return register


def render_dossier_page(dossier: Dossier, *, status: int = 200, error: str | None = None, **forms):
    """The page of ``dossier`` for the current user; ``forms`` (a submitted form with its errors)
    replace the blank ones of the panels they belong to; ``error``: a verb's refusal."""
    procedure = engine().of(dossier)
    events = db.session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
        .options(selectinload(DossierEvent.actor), selectinload(DossierEvent.on_behalf_of),
                 selectinload(DossierEvent.from_agency),
                 selectinload(DossierEvent.to_agency)).order_by(DossierEvent.id)).all()
    context = {"dossier": dossier, "procedure": procedure, "events": events, "error": error, "copies": {},
               "panels": PANELS, "details": shown(procedure, dossier.details)}
    for p in PANELS:
        context.update(p.load(dossier, current_user, {**forms, "events": events}))
    return render_template("dossiers/page.html", **context), status


@panel("dossiers/_clock.html", order=10)
def _clock(dossier: Dossier, user, forms: dict) -> dict:
    return {"clock": clock_of(dossier)}


@panel("dossiers/_diagram.html", order=40)
def _diagram(dossier: Dossier, user, forms: dict) -> dict:
    """The procedure's diagram with the current step highlighted and the steps passed marked."""
    compiled = engine().compiled_of(dossier)
    return {"diagram": mermaid(compiled, current=dossier.step, passed=passed_steps(forms["events"]))}
