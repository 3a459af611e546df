"""Signals other parts of the platform listen to (the conférence des maires follows mayors)."""

from blinker import Namespace

_signals = Namespace()

#: sent with (user, role, commune) after a role is given or taken away, in the transaction
role_changed = _signals.signal("role-changed")
