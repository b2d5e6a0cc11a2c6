"""Extension objects, created unbound and bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from onestop.core.database import db

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()
