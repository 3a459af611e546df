"""Saisines: the EPCI consults its communes for an opinion or for data."""
