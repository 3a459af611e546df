"""The AMI's panels on the home page."""
