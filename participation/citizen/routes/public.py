"""The public pages of consultations (proposals, comments, supports, reports, moderation)."""
