"""The network's cooperation: forms (to be written)."""
