"""Participation: the conseil de développement and citizen consultations."""

from participation.citizen import demo as _citizen_demo  # noqa: F401
from participation.citizen import home as _citizen_home  # noqa: F401
from participation.citizen import kind as _citizen_kind  # noqa: F401
from participation.citizen import manage_permissions as _citizen_manage  # noqa: F401
from participation.citizen import permissions as _citizen_permissions  # noqa: F401
from participation.citizen.routes import manage_bp as citizen_manage_bp
from participation.citizen.routes import public_bp as citizen_bp
from participation.council import demo as _council_demo  # noqa: F401
from participation.council import home as _council_home  # noqa: F401
from participation.council import kind as _council_kind  # noqa: F401
from participation.council import permissions as _council_permissions  # noqa: F401
from participation.council.routes import bp as council_bp

blueprints = (council_bp, citizen_bp, citizen_manage_bp)
