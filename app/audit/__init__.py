"""The append-only access log: every disclosure of personal data, and the privacy officer's API."""
