"""Admin API for a team's escalation policy (scope `admin`): a settings document."""

from __future__ import annotations

from app.api.documents import Operation, SettingsDocument, mount
from app.escalation.policy import service
from app.escalation.policy.schemas import PolicyIn, PolicyOut
from app.roster.teams.owners import TEAM

ESCALATION_POLICY = SettingsDocument(
    name="escalation-policy",
    owner=TEAM,
    path="/escalation-policy",
    tag="admin: escalation",
    body=PolicyIn,
    answer=PolicyOut,
    load=service.get_policy,
    store=service.set_policy,
    get=Operation(
        "get_policy",
        summary="Get a team's escalation policy",
        description="A team without a policy of its own escalates by the default policy, "
        "returned here with `configured: false`.",
    ),
    put=Operation(
        "put_policy",
        summary="Set a team's escalation policy",
        description="Replaces the whole policy. Named members must be active members of the "
        "team; a `fallback` step needs a `fallback_number`.",
    ),
)

router = mount(ESCALATION_POLICY)
