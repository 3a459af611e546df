"""Participation: the conseil de développement and citizen consultations."""

from flask import Blueprint

bp = Blueprint("participation", __name__, url_prefix="/participation")
