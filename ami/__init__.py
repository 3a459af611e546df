"""The AMI cohésion sociale: calls, associations, applications, hearings, jury."""

from flask import Blueprint

bp = Blueprint("ami", __name__, url_prefix="/ami")
