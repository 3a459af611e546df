"""The AMI's forms, one module per step."""
