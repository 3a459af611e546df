"""The EPCI pages of consultations (creation, questionnaire, synthesis, feedback, exports)."""
