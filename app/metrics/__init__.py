"""Prometheus metrics: what the API's `/metrics` and a worker's metrics port answer.

Two sources, chosen by where the truth lives (the API and the workers are separate
processes, often several of each):

* **The database, read at scrape time** (`database.py`): alerts received by kind and triage
  action, the time from an alert to its first SMS and to its acknowledgement (histograms over
  every stored alert), the outbox backlog and the age of its oldest due message, delivery
  failures, overdue follow-up steps and roster holes in the next 7 days. Every API instance
  answers the same numbers (scrape one, or take `max` across them), a restart loses nothing,
  and an event in a worker (the first SMS out) counts on the API's `/metrics` without
  Prometheus' multiprocess mode, which needs one directory shared by every process and so
  works neither across containers nor across hosts.
* **The process** (`process.py`): the worker's rounds and their duration per engine, which
  only the worker running them knows. A worker inside the API (`WORKER__RUN_IN_APP`, the
  default) shows them on `/metrics`; a worker run as its own process (`odvarsel worker`)
  serves them on `METRICS__WORKER_PORT`, and Prometheus scrapes each worker there (sum
  across instances in PromQL).

Labels are enum values only (alert kind, triage action, engine name, message subject, round
outcome); a value the enum does not know is counted as `other`. No label or value holds
personal data or free text. `METRICS__TOKEN` asks for a bearer token on both endpoints.
"""
