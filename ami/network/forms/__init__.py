"""The network's forms, one module per part."""
