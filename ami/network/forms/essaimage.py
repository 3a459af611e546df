"""The network's essaimage: forms (to be written)."""
