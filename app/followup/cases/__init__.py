"""Follow-up cases: taking an alert opens its case (`service.open_case_for_alert`) from the
municipality's template for its triage; the case copies its steps, so a template changed later
never changes an open case. `views` reads cases, `changes` records, assigns and closes them
for an explicit `actor.Actor`; `access` and `notes` decide what of a case a reader sees.

The deadlines engine (`engine`) lives here, not at the package's top: everything it does is
on cases (it opens the cases no tap opens, `opening`, and tells owners and leaders of their
steps' deadlines), and the top keeps only pure rules.
"""
