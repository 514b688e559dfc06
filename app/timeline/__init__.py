"""What happened to an alert, in order: an append-only list of events without personal data."""
