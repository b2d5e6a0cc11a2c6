"""No verb can forget the door: every function of an ``operations`` module that takes a dossier (or
a row of one) as its subject is declared with ``@verb``, and its permission exists on the model."""
import importlib
import inspect
import pkgutil

import onestop
from onestop.attachments.models import Attachment
from onestop.consultations.models import Consultation
from onestop.dossiers.door import VERBS
from onestop.dossiers.models import Dossier
from onestop.extension_requests.models import DossierExtension
from onestop.online.models import OnlineApplication

SUBJECTS = (Dossier, Consultation, DossierExtension, Attachment, OnlineApplication)
#: functions that take a subject but change nothing themselves (reads, or a verb that delegates to one)
NOT_VERBS = {
    "onestop.dossiers.operations.available_actions",  # a read
    "onestop.dossiers.operations.return_result",  # records the recipient, then presses "return_result" through the door
    "onestop.dossiers.operations.log", "onestop.dossiers.operations.log_stay",  # a verb's history line, inside the door
    "onestop.dossiers.operations._move", "onestop.dossiers.operations._holder",
    "onestop.extension_requests.operations.extension_window_open",
    "onestop.extension_requests.operations.pending_extension",
    "onestop.extension_requests.operations.new_appointment",
    "onestop.extension_requests.operations.new_date_problem",
    "onestop.online.operations.discard_files",  # files of an application that was never committed
    "onestop.online.operations._tell_applicant",
    # subscribers of the dossier's signals, run inside the verb that sent them
    "onestop.fees.operations._assess_on_receipt", "onestop.fees.operations._paid_before_return",
    "onestop.supplements.operations._track_rounds", "onestop.supplements.operations._open",
    "onestop.supplements.operations._close", "onestop.results.operations._uploaded_before_signing",
    # reads
    "onestop.fees.operations.assessment_of", "onestop.supplements.operations.open_round",
    "onestop.supplements.operations.rounds_of", "onestop.results.operations.current_result",
    "onestop.results.operations.may_upload", "onestop.ratings.operations.rating_of",
    "onestop.ratings.operations.may_be_rated", "onestop.messages.operations.recipients",
    # the fee owed, written inside the receiving verb (a subscriber of ``received``)
    "onestop.fees.operations.assess",
    # a message queued for the citizen by a verb's subscriber, inside that verb
    "onestop.messages.operations.tell",
    # check their input, then press a verb through the door (perform_action, collect_fee)
    "onestop.fees.operations.collect_at_intake", "onestop.fees.operations.collect_due",
    "onestop.supplements.operations.request_supplement", "onestop.supplements.operations.receive_supplement",
}


def _operations_modules():
    for info in pkgutil.walk_packages(onestop.__path__, "onestop."):
        if info.name.endswith(".operations"):
            yield importlib.import_module(info.name)


def _subject(function) -> type | None:
    parameters = list(inspect.signature(function).parameters.values())
    if not parameters:
        return None
    annotation = parameters[0].annotation
    return annotation if annotation in SUBJECTS else None


def test_every_function_acting_on_a_dossier_goes_through_the_door():
    checked = []
    for module in _operations_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{name}"
            subject = _subject(inspect.unwrap(function))
            if subject is None or qualified in NOT_VERBS or name.startswith(("can_", "may_", "_why_not_")):  # checks, reasons
                continue
            permission = getattr(function, "door_permission", None)
            assert permission is not None, f"{qualified} changes a {subject.__name__} without the door (@verb)"
            assert callable(getattr(subject, f"can_{permission}", None)), f"{subject.__name__} has no can_{permission}"
            checked.append(qualified)
    assert len(checked) >= 10, checked
    assert set(checked) <= set(VERBS)
