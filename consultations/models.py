"""Concertation of the communes: saisines, bodies, meetings, the mayors' mailbox."""

from consultations.saisines.models import *  # noqa: F403
