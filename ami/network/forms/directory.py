"""The network's directory: forms (to be written)."""
