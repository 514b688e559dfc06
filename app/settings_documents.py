"""Every settings document of the admin API, registered once (the seam: `app.api.documents`).

A document is its owner and its domain's `load` and `store`; its OpenAPI words are data, in
`settings_documents.toml`. `app.main` mounts each router where it reads best in the OpenAPI
document; `odvarsel apply` finds the documents here by name (`app/apply/`). A new document
is a `load` and a `store` in its domain's service, one line below and its words in the TOML
file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter

from app.answers import service as answers
from app.api.documents import Load, SettingsDocument, Store, mount, read_words
from app.drug_warnings.settings import service as warning
from app.escalation.policy import service as policy
from app.followup.settings import service as followup
from app.retention import service as retention
from app.roster.teams import service as teams
from app.roster.teams.owners import MUNICIPALITY, TEAM
from app.triage import service as triage

OF_A_MUNICIPALITY: dict[str, tuple[Load[str, Any], Store[str, Any, Any]]] = {
    "answer-options": (answers.options_for, answers.set_options),
    "triage": (triage.get_table, triage.set_table),
    "followup-settings": (followup.settings_of, followup.set_settings),
    "warning-contacts": (warning.contacts_of, warning.set_contacts),
    "cluster-rules": (warning.rules_doc, warning.set_rules),
    "written-standard": (teams.written_standard_of, teams.set_written_standard),
    "retention": (retention.settings_of, retention.set_settings),
}
"""A municipality's documents by name: their `load` and `store`."""

DOCUMENTS: dict[str, SettingsDocument[Any, Any, Any]] = {
    "escalation-policy": SettingsDocument(
        "escalation-policy", TEAM, policy.get_policy, policy.set_policy
    ),
    **{
        name: SettingsDocument(name, MUNICIPALITY, load, store)
        for name, (load, store) in OF_A_MUNICIPALITY.items()
    },
}
"""Every document, by name."""

WORDS = read_words(Path(__file__).with_suffix(".toml"))

routers: dict[str, APIRouter] = {name: mount(doc, WORDS[name]) for name, doc in DOCUMENTS.items()}
"""Each document's router, by name, for `app.main.api_routes`."""
