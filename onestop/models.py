"""Imports every model module so the metadata (and Alembic) sees all tables."""
from onestop.agencies.models import Agency  # noqa: F401
from onestop.api.models import ApiClient, Handover  # noqa: F401
from onestop.attachments.models import Attachment  # noqa: F401
from onestop.auth.absences import Absence  # noqa: F401
from onestop.auth.models import User  # noqa: F401
from onestop.auth.throttle import LoginFailure  # noqa: F401
from onestop.consultations.models import Consultation  # noqa: F401
from onestop.core.audit import AuditEntry  # noqa: F401
from onestop.core.outbox import OutboxMessage  # noqa: F401
from onestop.core.submissions import Submission  # noqa: F401
from onestop.core.throttle import LookupAttempt  # noqa: F401
from onestop.core.workdays import CalendarOverride  # noqa: F401
from onestop.dossiers.models import DailySequence, Dossier, DossierEvent  # noqa: F401
from onestop.dossiers.notices import Notification  # noqa: F401
from onestop.dossiers.rules import ReminderRule  # noqa: F401
from onestop.dossiers.visits import StepVisit  # noqa: F401
from onestop.extension_requests.models import DossierExtension  # noqa: F401
from onestop.fees.models import FeeAssessment, FeePayment, ReceiptSeries  # noqa: F401
from onestop.messages.models import CitizenMessage  # noqa: F401
from onestop.online.models import OnlineApplication, OnlineApplicationFile  # noqa: F401
from onestop.ops.models import Counter, Heartbeat  # noqa: F401
from onestop.ratings.models import Rating  # noqa: F401
from onestop.reports.models import WorkingDay  # noqa: F401
from onestop.results.models import SignedResult  # noqa: F401
from onestop.supplements.models import SupplementRound  # noqa: F401
from onestop.webhooks.models import WebhookDelivery, WebhookSubscription  # noqa: F401
