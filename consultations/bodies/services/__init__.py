"""Business actions on bodies and meetings. They flush, never commit."""

from consultations.bodies.services.bodies import *  # noqa: F403
from consultations.bodies.services.common import BodyError
from consultations.bodies.services.meetings import *  # noqa: F403
from consultations.bodies.services.requests import *  # noqa: F403
from consultations.bodies.services.votes import *  # noqa: F403

__all__ = ["BodyError"]
