"""Postfach: messages between the administration and the applicant of a Vorgang."""
