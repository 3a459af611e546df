"""The network's directory: routes (to be written)."""
