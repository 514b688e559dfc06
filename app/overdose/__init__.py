"""The vocabulary of an overdose: a base package that alerts, triage and rules share."""
