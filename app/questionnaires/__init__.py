"""Questionnaires shared by the domains: question types, reading and showing answers.

Saisines of communes and citizen consultations both ask ordered questions of these types.
"""

from enum import StrEnum


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    FILE = "file"
