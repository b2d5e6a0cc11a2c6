"""Small steps shared by tests that walk dossiers through their procedures."""
from onestop.auth.models import User
from onestop.dossiers.models import Dossier
from onestop.fees.operations import assessment_of, collect_due
from onestop.results.operations import current_result, upload_signed_result
from onestop.workflows.engine import engine

#: the smallest file the type sniffer takes for a PDF (what a signed result is checked to be)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def settle_fees(dossier: Dossier, clerk: User) -> None:
    """Pay whatever is still due, in cash, as the desk does before it hands the result back."""
    assessment = assessment_of(dossier)
    if assessment is not None and assessment.unpaid:
        collect_due(dossier, clerk, method="cash", reference=None)


def before(dossier: Dossier, actor: User, action: str) -> None:
    """What a procedure asks before an action: the fees before the return, the signed result
    (``e_result``) before the signature."""
    if action == "return_result":
        settle_fees(dossier, actor)
    elif action == "sign" and engine().procedure(dossier.procedure_code).e_result and current_result(dossier) is None:
        upload_signed_result(dossier, actor, filename="ket-qua.pdf", data=PDF)
