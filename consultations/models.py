"""Concertation of the communes: saisines, bodies, meetings, the mayors' mailbox."""
