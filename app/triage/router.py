"""Admin API for a municipality's triage table (scope `admin`): a settings document."""

from __future__ import annotations

from app.api.documents import Operation, SettingsDocument, mount
from app.roster.teams.owners import MUNICIPALITY
from app.triage import service
from app.triage.schemas import TriageTableDoc, TriageTableIn

TRIAGE_TABLE = SettingsDocument(
    name="triage",
    owner=MUNICIPALITY,
    path="/triage",
    tag="admin: triage",
    body=TriageTableIn,
    answer=TriageTableDoc,
    load=service.get_table,
    store=service.set_table,
    get=Operation(
        "get_triage_table",
        summary="Get the municipality's triage table",
        description="Which alerts page at once and which wait for working hours. A "
        "municipality that has not set its own gets the default, with `configured: false`.",
    ),
    put=Operation(
        "set_triage_table",
        summary="Set the municipality's triage table",
        description="Replaces the rules and the working hours. Rules are tried in order after "
        "the fixed rules (an `objected` alert pages nobody; a fatal alert goes to the leader in "
        "working hours); the first that matches decides, and no match pages now. Alerts "
        "triaged before keep their triage.",
    ),
)

router = mount(TRIAGE_TABLE)
