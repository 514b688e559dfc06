"""Escalation: policies (`policy/`, with the pure rules) and the engine that applies them
(`engine/`)."""
