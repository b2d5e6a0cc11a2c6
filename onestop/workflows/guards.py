"""Named checks a procedure file can put on an action.

Each guard takes the ``Flow`` wrapper and returns ``None`` when the action may go ahead,
or the reason (shown to the user, in the language of the request) when it may not.
"""
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask_babel import gettext as _

if TYPE_CHECKING:
    from onestop.workflows.engine import Flow


def required_documents(flow: "Flow") -> str | None:
    """Every required document, and the authorisation when someone filed on the applicant's behalf."""
    on_behalf = getattr(flow.dossier, "submitter_name", None) is not None
    return flow.procedure.checklist_problem(flow.dossier.documents or [], on_behalf=on_behalf)


def note_given(flow: "Flow") -> str | None:
    if not (flow.note or "").strip():
        return _("Cần ghi rõ lý do.")
    return None


GUARDS: dict[str, Callable[["Flow"], str | None]] = {
    "required_documents": required_documents,
    "note_given": note_given,
}
