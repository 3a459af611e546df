"""Citizen consultations: proposals, comments, supports, questionnaires, moderation."""
