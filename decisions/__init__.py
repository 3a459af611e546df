"""The decision path: dossiers from impulse to deliberation, with their consultations."""

from decisions import demo as _demo  # noqa: F401
from decisions import home as _home  # noqa: F401
from decisions import permissions as _permissions  # noqa: F401
from decisions.routes import manage_bp, public_bp

blueprints = (manage_bp, public_bp)
