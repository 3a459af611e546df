"""The network's cooperation: routes (to be written)."""
