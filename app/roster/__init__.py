"""Municipalities, teams, members and who is on duty."""
