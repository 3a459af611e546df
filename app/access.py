"""The permission policy, in one place, and the only helper that aborts with 403.

Rules are pure functions `rule(user, obj) -> bool` registered under an action name by each
domain's permissions module. Routes call `require(can(current_user, "action", obj))`;
templates call `can("action", obj)`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from flask_login import login_required as _login_required

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the rule that answers `action`."""

    def decorator(func: Rule) -> Rule:
        if action in _RULES and _RULES[action] is not func:
            raise ValueError(f"two rules for {action}")
        _RULES[action] = func
        return func

    return decorator


def can(user, action: str, obj: Any = None) -> bool:
    """May `user` do `action` (on `obj`)? Anonymous or inactive users may do nothing guarded."""
    try:
        check = _RULES[action]
    except KeyError:
        raise LookupError(f"no rule for action {action!r}") from None
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(check(user, obj))


def registered_actions() -> list[str]:
    return sorted(_RULES)


def require(allowed: bool) -> None:
    """Abort with 403 unless allowed."""
    if not allowed:
        abort(403)


def require_action(action: str, obj: Any = None) -> None:
    require(can(current_user, action, obj))


def permission_required(action: str):
    """View decorator: log in first, then the rule for `action` (with no object)."""

    def decorator(view):
        @wraps(view)
        @_login_required
        def wrapped(*args, **kwargs):
            require_action(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


login_required = _login_required
