"""Access by work need ("tjenstlig behov"), and when links and sessions are alive (pure: the
callers pass what they loaded and the time). docs/rules.md, "Access by work need".

* Another municipality's case: nothing (`none`).
* A case of the staff member's own municipality: its summary, without personal data.
* Personal data: on cases the member is assigned to or was paged for, and for the leader of
  a team of the municipality on every case of the municipality.

Follow-up cases and pages call `may_see` with the signed-in `StaffIdentity` (a `StaffView`)
and what they know of the case; each view of personal data it allows is theirs to log.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Access(StrEnum):
    NONE = "none"
    SUMMARY = "summary"
    """That the case exists, its steps, deadlines and states: no personal data."""
    PERSONAL = "personal"
    """The summary and the person's data (each view logged by the caller)."""

    @property
    def sees_case(self) -> bool:
        return self is not Access.NONE

    @property
    def sees_personal_data(self) -> bool:
        return self is Access.PERSONAL


@dataclass(frozen=True)
class StaffView:
    """Who is asking, as far as access is concerned."""

    member_id: uuid.UUID
    team_id: uuid.UUID
    municipality_code: str
    is_leader: bool
    """The member is the leader (`team.leader_member_id`) of their team."""


@dataclass(frozen=True)
class CaseAccess:
    """What access depends on in a case (or an alert)."""

    municipality_code: str
    assigned_member_ids: Collection[uuid.UUID] = field(default_factory=frozenset)
    """Owners and companions of the case or of any of its steps."""
    paged_member_ids: Collection[uuid.UUID] = field(default_factory=frozenset)
    """Members who were paged (sent a link) for the alert the case came from."""


def may_see(staff: StaffView, subject: CaseAccess) -> Access:
    if staff.municipality_code != subject.municipality_code:
        return Access.NONE
    if staff.is_leader:
        return Access.PERSONAL
    if (
        staff.member_id in subject.assigned_member_ids
        or staff.member_id in subject.paged_member_ids
    ):
        return Access.PERSONAL
    return Access.SUMMARY


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def link_state(*, expires_at: datetime, used_at: datetime | None, now: datetime) -> LinkState:
    """A used link stays used (said before expired: the holder knows they used it)."""
    if used_at is not None:
        return LinkState.USED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID


def session_alive(*, expires_at: datetime, signed_out_at: datetime | None, now: datetime) -> bool:
    return signed_out_at is None and now < expires_at
