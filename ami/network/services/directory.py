"""The network's directory: services (to be written)."""
