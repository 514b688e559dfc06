"""Concern reports: a dangerous drug seen or heard of, filed by hand; the leader's list."""
