"""Who is signed in: what `deps.CurrentStaff` gives a route (pure data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.auth.staff.rules import StaffView


@dataclass(frozen=True)
class StaffIdentity(StaffView):
    """A signed-in staff member; pass it to `rules.may_see` as the staff."""

    name: str
    role: str
    language: str
    """`nb`, `nn` or `en`: the member's pages and SMS (their choice, else the municipality's
    written standard)."""
    team_name: str
    municipality_name: str
    session_id: uuid.UUID
    via: str
    """`sms_link` or `oidc`."""
    expires_at: datetime
    """When the session ends at the latest."""

    @property
    def view(self) -> StaffView:
        """Only what access depends on."""
        return StaffView(
            member_id=self.member_id,
            team_id=self.team_id,
            municipality_code=self.municipality_code,
            is_leader=self.is_leader,
        )
