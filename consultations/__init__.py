"""Concertation of the communes: saisines, bodies and meetings, the mayors' mailbox."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/concertation")
