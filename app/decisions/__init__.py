"""Manual, recorded disclosures: police, child welfare, relatives, pregnancy (docs/rules.md,
"Manual recorded decisions").

The consent rules never grant these; a person decides, on a basis in law, and records who
decided, why, and what was shared. Each decision writes one access-log entry and opens the
duty to tell the person (app.informing).
"""
