"""Small helpers shared by the forms of every domain."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)
