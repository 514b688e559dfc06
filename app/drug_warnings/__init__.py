"""Warnings about dangerous drugs: concern reports, cluster signals and the leader's warnings
(BRIEF §9, "Warnings, corrected"). Named `drug_warnings`, not `warnings`, so that no import
or reader mistakes it for the standard library's module.

Where things are:

* `clusters`: the detection rule (pure): N overdoses within H hours in one area.
* `signals`: `check_clusters` runs it over a municipality's alerts and raises or grows signals;
  listing and dismissing them. `engine.ClusterEngine` calls it from the worker.
* `reports`: concern reports filed by staff and partners.
* `drafts`: a warning's life: draft, edit, approve (which sends it), review.
* `lists`: warnings as the leader reads them, and those arriving from neighbours.
* `settings`: per municipality, who the warnings reach and the cluster rules (admin API).
* `common`, `repository`, `models`, `schemas`, `texts` (the SMS), `router` (the API).
"""
