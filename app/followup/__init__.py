"""Follow-up after an overdose: cases and their steps, the templates they are opened from,
each municipality's settings, and deadlines that act.

Three sub-packages, each with its own models, repository, schemas, service and router:
`cases` (open, read, record, assign and close cases for an explicit `cases.actor.Actor`; the
deadlines engine, which opens the cases no tap opens and reminds owners, in its own worker
lane), `templates` (the municipality's procedure, else the default shipped as JSON; `plan`
turns a template into a new case's steps) and `settings` (the repeated-overdose window).

The pure rules the sub-packages share stay at this top and import none of them: `state` (the
state machine), `deadlines` (due times, quiet hours), `repeated` (repeated overdoses),
`template_schema` (what a template is) and `texts` (the SMS words). Sub-packages import the
top, never the other way round: `cases` reads `templates` and `settings`, neither reads
`cases`.
"""
