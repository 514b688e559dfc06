"""Follow-up after an overdose: templates (data), cases and their steps, deadlines that act.

Taking an alert opens a case (`service.open_case_for_alert`) from the municipality's template
for the alert's triage (survivor, or fatal; `catalogue`); the case copies its steps, so a
template changed later never changes an open case. `views` reads cases, `changes` records,
assigns and closes them for an explicit `actor.Actor`. `state` (the state machine),
`deadlines` (due times), `plan` (template to steps), `template_schema` and `texts` are pure;
`engine` reminds owners and tells the leader, in the worker's paging lane.
"""
