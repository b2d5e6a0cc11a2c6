"""Imports every model module so the metadata (and Alembic) sees all tables."""
from onestop.agencies.models import Agency  # noqa: F401
from onestop.auth.models import User  # noqa: F401
from onestop.core.workdays import CalendarOverride  # noqa: F401
from onestop.dossiers.attachments_model import Attachment  # noqa: F401
from onestop.dossiers.consultations import Consultation  # noqa: F401
from onestop.dossiers.extensions_model import DossierExtension  # noqa: F401
from onestop.dossiers.models import DailySequence, Dossier, DossierEvent  # noqa: F401
from onestop.notifications.models import Notification, OutboxMessage  # noqa: F401
from onestop.notifications.rules import ReminderRule  # noqa: F401
from onestop.public.online_models import OnlineApplication, OnlineApplicationFile  # noqa: F401
from onestop.public.throttle import LookupAttempt  # noqa: F401
from onestop.reports.models import WorkingDay  # noqa: F401
