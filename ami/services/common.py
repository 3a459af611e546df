"""What every AMI service shares: the domain error."""

from __future__ import annotations


class AmiError(Exception):
    """A refused action; `code` selects the message shown (ami/messages.py)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params
