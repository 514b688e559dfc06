"""Escalation: policies (`policy/`, with the pure rules), the engine that applies them
(`engine/`: the worker's round, the SMS it writes), and `service`, the use cases the other
domains call (open, replan, acknowledge, read). Other domains import the service, never the
engine's round."""
