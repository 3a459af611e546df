"""The associations' network ("le Tinder des opérateurs"): a directory, suggestions of
associations to work with, mutual-interest matches with a message thread, the yearly
essaimage day with its speed-meeting plan, and the tracking of cooperations.

Its pages are routes of the AMI's blueprint (ami/network/routes/), under /ami/reseau and
/ami/annuaire.
"""
