"""Escalation: policies and steps (policy.py, pure) and the engine that advances them."""
