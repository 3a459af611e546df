"""The conseil de développement's contributions and citizen consultations."""

from participation.citizen.models import *  # noqa: F403
from participation.council.models import *  # noqa: F403
