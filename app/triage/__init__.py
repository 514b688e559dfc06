"""Triage: whether an alert pages now, waits for working hours, pages nobody, or is fatal."""
