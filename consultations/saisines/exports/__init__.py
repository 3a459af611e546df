"""Exports of a saisine's answers: CSV, XLSX and the printable synthesis (PDF)."""

from consultations.saisines.exports.pdf import *  # noqa: F403
from consultations.saisines.exports.table import *  # noqa: F403
