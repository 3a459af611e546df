"""The conseil de développement's contributions and citizen consultations."""
