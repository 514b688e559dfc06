"""Follow-up templates: each municipality's procedure per kind of case (`service`: its own
where it set one, else the default of `defaults`, shipped as `survivor.json` and `fatal.json`
in this folder), its admin API (`router`), and `plan`, which turns a template and the facts of
an alert into a new case's steps. What a template is (validated) is the package top's
`template_schema`, which the repeated-overdose rule reads too.
"""
