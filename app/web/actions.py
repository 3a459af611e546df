"""Running a business action from a route: commit when it works, roll back and explain why
when the domain refuses it."""

from __future__ import annotations

from collections.abc import Callable

from app.db import db


def attempt(
    action: Callable[[], object],
    *,
    refused: type[Exception],
    explain: Callable[[Exception], None],
    done: Callable[[object], None] | None = None,
) -> bool:
    """Run the service call `action()` and commit, then `done(result)` when given; when the
    action raises `refused` (the domain's error), roll back and `explain(exc)` (flash it, or
    put it on the form field it concerns) instead. Returns whether it worked."""
    try:
        result = action()
        db.session.commit()
    except refused as exc:
        db.session.rollback()
        explain(exc)
        return False
    if done is not None:
        done(result)
    return True
