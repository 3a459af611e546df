"""The AMI's services: each module owns one step of a call's life."""
