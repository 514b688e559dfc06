"""The roster's admin commands (`odvarsel add-team | add-member | import-rota | roster-holes`).

A sub-package of its own: the commands use both `roster.teams` and `roster.rota`, and the
`roster` package itself (models, enums) imports none of its sub-packages.
"""
