"""Escalation policies: the pure rules (`rules.py`) and their storage and admin API."""
