"""Demo data for the AMI: a closed 2021 call and an open call (see ami/demo_data.py)."""
