"""Citizen consultations: the public pages and the EPCI's pages."""

from flask import Blueprint

public_bp = Blueprint("citizen", __name__, url_prefix="/consultations")
manage_bp = Blueprint("citizen_manage", __name__, url_prefix="/admin/consultations")

from participation.citizen.routes import manage, public  # noqa: E402,F401
