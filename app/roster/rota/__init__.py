"""Duty rosters: rotations, shifts, overrides, calendar import; oncall.py is pure."""
