"""Participation: the conseil de développement and citizen consultations."""

from participation.citizen.routes import manage_bp as citizen_manage_bp
from participation.citizen.routes import public_bp as citizen_bp
from participation.council.routes import bp as council_bp

blueprints = (council_bp, citizen_bp, citizen_manage_bp)
