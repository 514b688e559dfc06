"""Warnings about dangerous drugs: concern reports, cluster signals and the leader's warnings
(docs/rules.md, "Concern reports, clusters and warnings"). Named `drug_warnings`, not
`warnings`, so that no import or reader mistakes it for the standard library's module.

A sub-package per concern, each with its models, schemas, repository, service and router
(settings has no router: its documents are mounted by `app.settings_documents`):

* `reports`: concern reports filed by staff and partners.
* `signals`: `service.check_clusters` runs the cluster rule over a municipality's alerts and
  raises or grows signals (`growth`); listing and dismissing them; `engine.ClusterEngine`
  checks from the worker.
* `warnings`: a warning's life (`service`: draft, edit, approve, which sends it, review),
  warnings as the leader reads them and those arriving from neighbours (`lists`), the SMS
  (`texts`).
* `settings`: per municipality, who the warnings reach and the cluster rules with the
  districts: two settings documents of the admin API (`app.api.documents`).

What several concerns use sits at the top and imports no sub-package: `clusters` (the
detection rule, pure), `schemas` (free text checked for personal data, who acts), `common`
(a 422 naming a field, the client's municipalities, who files), `repository` (names of served
municipalities) and `api` (what the routers share).
"""
