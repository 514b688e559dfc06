"""The escalation engine: one state row per alert, moved on by the worker's round (`round`,
run by `runner`); the SMS it writes (`messages`) and what their outcomes change (`outcomes`)."""
