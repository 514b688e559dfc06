"""Retention (issue 22 item 1, docs/rules.md "Retention"): identifying data is purged on time
and provably, and what grows (links, sessions, deliveries, SMS bodies, counters) is cleared.

`rules` decides what is due when (pure); `purge` says what a purge of an alert removes;
`repository` finds due rows and clears them; `engine` is the worker's "retention" engine;
`report` and `commands` are `odvarsel retention report|run`; `service` is the municipality's
settings document `retention` (its case period)."""
