"""What every network service shares: the domain error (the AMI's, so that its messages are
found by ami.messages.error_message)."""

from __future__ import annotations

from ami.services.common import AmiError

NetworkError = AmiError
