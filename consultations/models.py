"""Concertation of the communes: saisines, bodies, meetings, the mayors' mailbox."""

from consultations.bodies.models import *  # noqa: F403
from consultations.mailbox.models import *  # noqa: F403
from consultations.saisines.models import *  # noqa: F403
