"""How much of a case an actor sees: its summary, or also what only those with a work need
see (the person's data on the staff pages; a step's note, `notes`).

A municipality's case system holds `alerts:details`, the scope of the person's data: it sees
all. A signed-in staff member sees by `rules.may_see` (tjenstlig behov): the leader, those
assigned to the case or one of its steps, and those paged for its alert see details; the rest
of the municipality's staff the summary.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.links import service as member_links
from app.auth.staff.rules import Access, CaseAccess, StaffView, may_see
from app.followup.cases.actor import Actor
from app.followup.cases.models import FollowupCase, FollowupStep
from app.privacy.crypto import FieldCipher


@dataclass(frozen=True)
class StaffAccess:
    access: Access
    paged: tuple[uuid.UUID, ...]
    """Who was sent a link to the case's alert, in the order they were first sent one."""


async def staff_access(
    session: AsyncSession, view: StaffView, case: FollowupCase, steps: Sequence[FollowupStep]
) -> StaffAccess:
    """A staff member's access to `case`, whose steps are `steps` (all of them)."""
    assigned = {case.owner_member_id} | {
        m for s in steps for m in (s.owner_member_id, s.companion_member_id)
    }
    paged = tuple(await member_links.members_linked(session, alert_id=case.alert_id))
    access = may_see(
        view,
        CaseAccess(
            municipality_code=case.municipality_code,
            assigned_member_ids=frozenset(m for m in assigned if m is not None),
            paged_member_ids=frozenset(paged),
        ),
    )
    return StaffAccess(access, paged)


async def note_reader(
    session: AsyncSession,
    actor: Actor,
    case: FollowupCase,
    steps: Sequence[FollowupStep],
    cipher: FieldCipher,
) -> FieldCipher | None:
    """`cipher` if the actor may read the case's notes (details access), else None: the answer
    then says only that a note exists."""
    if actor.view is None:  # the case system (`alerts:details`)
        return cipher
    sees = (await staff_access(session, actor.view, case, steps)).access.sees_personal_data
    return cipher if sees else None
