"""The network's essaimage: services (to be written)."""
