"""Reading answers to a questionnaire from a submitted form, and showing them (no database).

A question is any object with .key, .type (QuestionType), .choices and .unit.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from app.i18n import _
from app.questionnaires import QuestionType

MAX_SHORT = 500
MAX_LONG = 20000


def field_name(question) -> str:
    return f"q_{question.key}"


def _number(raw: str) -> Decimal:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", raw).replace(",", ".")
    return Decimal(cleaned)


def parse_one(question, formdata) -> tuple[object, str | None]:
    """(value, error code) for one question; value None when left empty."""
    name = field_name(question)
    if question.type is QuestionType.MULTIPLE_CHOICE:
        values = [v for v in formdata.getlist(name) if v]
        if any(v not in question.choices for v in values):
            return values, "choice"
        return (values or None), None
    raw = (formdata.get(name) or "").strip()
    if raw == "":
        return None, None
    kind = question.type
    if kind is QuestionType.SHORT_TEXT:
        return raw, ("too_long" if len(raw) > MAX_SHORT else None)
    if kind is QuestionType.LONG_TEXT:
        return raw, ("too_long" if len(raw) > MAX_LONG else None)
    if kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
        try:
            number = _number(raw)
        except InvalidOperation:
            return raw, "number"
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            return raw, "number"
        if kind is QuestionType.INTEGER:
            if number != number.to_integral_value():
                return raw, "integer"
            return int(number), None
        return format(number.normalize(), "f"), None
    if kind is QuestionType.DATE:
        try:
            return date.fromisoformat(raw).isoformat(), None
        except ValueError:
            return raw, "date"
    if kind is QuestionType.YES_NO:
        if raw not in ("yes", "no"):
            return raw, "choice"
        return raw == "yes", None
    if kind is QuestionType.SINGLE_CHOICE:
        return raw, (None if raw in question.choices else "choice")
    return None, None


def parse_answers(questions: list, formdata) -> tuple[dict, dict[str, str]]:
    """All answers by question key, and the error code of each question that has one.

    Values that are not valid are kept as typed so that the form shows them back.
    """
    answers: dict = {}
    errors: dict[str, str] = {}
    for question in questions:
        if question.type is QuestionType.FILE:
            continue
        value, error = parse_one(question, formdata)
        if value is not None:
            answers[question.key] = value
        if error:
            errors[question.key] = error
    return answers, errors


def display(question, value) -> str:
    """An answer as text, for exports, receipts and the EPCI's pages."""
    if value is None or value == "" or value == []:
        return ""
    if question.type is QuestionType.YES_NO:
        return _("oui") if value is True else (_("non") if value is False else str(value))
    if question.type is QuestionType.MULTIPLE_CHOICE and isinstance(value, list):
        return " ; ".join(str(v) for v in value)
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL) and question.unit:
        return f"{value} {question.unit}"
    return str(value)
