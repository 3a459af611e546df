"""AMI pages (to be written)."""

from ami.routes import bp  # noqa: F401
