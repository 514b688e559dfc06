"""Admin API for a municipality's follow-up settings (scope `admin`): a settings document."""

from __future__ import annotations

from app.api.documents import Operation, SettingsDocument, mount
from app.followup.settings import service
from app.followup.settings.schemas import FollowupSettingsIn, FollowupSettingsOut
from app.roster.teams.owners import MUNICIPALITY

FOLLOWUP_SETTINGS = SettingsDocument(
    name="followup-settings",
    owner=MUNICIPALITY,
    path="/followup-settings",
    tag="admin: follow-up",
    body=FollowupSettingsIn,
    answer=FollowupSettingsOut,
    load=service.settings_of,
    store=service.set_settings,
    get=Operation(
        "get_followup_settings",
        summary="Get the municipality's follow-up settings",
        description="The window of repeated overdoses in days. A municipality that has not set "
        "its own gets the default (30 days), with `configured: false`.",
    ),
    put=Operation(
        "put_followup_settings",
        summary="Set the municipality's follow-up settings",
        description="`repeat_window_days` (1 to 365): how many days back an earlier non-fatal "
        "overdose of the same person counts when a case of this municipality opens. Cases "
        "already open keep what they were opened with.",
    ),
)

router = mount(FOLLOWUP_SETTINGS)
