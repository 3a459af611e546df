"""The conseil de développement's pages."""

from flask import Blueprint

bp = Blueprint("council", __name__, url_prefix="/conseil-de-developpement")
