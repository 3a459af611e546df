"""The network's essaimage: routes (to be written)."""
