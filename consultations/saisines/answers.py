"""Answers to a saisine's questionnaire: the shared questionnaire rules."""

from app.questionnaires.answers import *  # noqa: F403
from app.questionnaires.answers import display, field_name, parse_answers, parse_one  # noqa: F401
