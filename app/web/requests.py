"""The request class: NUL characters are dropped from form values, query strings and field
names before any view reads them.

Nobody types a NUL character; it only comes from broken clients or attacks, and PostgreSQL
refuses it in text columns (a 500 instead of the form's message). Dropping it once here keeps
every form, query and search working the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.utils import cached_property

NUL = "\x00"


def without_nul(values: MultiDict, storage_class) -> MultiDict:
    """`values` with every NUL character removed from keys and string values."""
    if not any(NUL in k or (isinstance(v, str) and NUL in v) for k, v in values.items(multi=True)):
        return values
    return storage_class(
        (k.replace(NUL, ""), v.replace(NUL, "") if isinstance(v, str) else v)
        for k, v in values.items(multi=True)
    )


class ConcertoRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        if "form" in self.__dict__:
            self.__dict__["form"] = without_nul(self.__dict__["form"], self.parameter_storage_class)

    @cached_property
    def args(self) -> MultiDict:  # type: ignore[override]
        return without_nul(super().args, self.parameter_storage_class)
