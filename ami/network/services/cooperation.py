"""The network's cooperation: services (to be written)."""
