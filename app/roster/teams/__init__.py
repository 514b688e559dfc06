"""Municipalities, teams and members (tables, API, administration)."""
