"""The network's business actions, one module per part."""
