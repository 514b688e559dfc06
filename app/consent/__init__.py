"""Consent and disclosure rules (helsepersonelloven § 25)."""
