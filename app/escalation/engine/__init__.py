"""The escalation engine: one state row per alert, advanced by the worker; the SMS it writes."""
