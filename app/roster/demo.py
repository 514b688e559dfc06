"""Demo roster for `odvarsel seed-demo`: a Fredrikstad team that is on duty around the clock.

Fictional people and numbers (+479000000x are not in use). Idempotent: nothing is added when
the team exists.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.roster import repository, rota_service, team_service
from app.roster.enums import MemberRole
from app.roster.oncall import OSLO
from app.roster.rota_schemas import RotationIn
from app.roster.schemas import MemberIn, TeamIn, TeamUpdate

DEMO_TEAM = "Ressursteam overdose"
DEMO_FALLBACK = "+4790000009"
# Handoffs every Monday at 08:00 Oslo time, from a Monday well in the past.
DEMO_ANCHOR = datetime(2025, 1, 6, 8, 0, tzinfo=OSLO)
DEMO_MEMBERS = (
    MemberIn(
        name="Kari Solberg",
        mobile="+4790000001",
        email="kari.solberg@example.no",
        role=MemberRole.LEDER,
        is_health_personnel=True,
    ),
    MemberIn(
        name="Jonas Berg",
        mobile="+4790000002",
        email="jonas.berg@example.no",
        role=MemberRole.RUSKONSULENT,
        is_health_personnel=False,
    ),
    MemberIn(
        name="Ingrid Haugen",
        mobile="+4790000003",
        email="ingrid.haugen@example.no",
        role=MemberRole.SYKEPLEIER,
        is_health_personnel=True,
    ),
)


async def seed_demo_roster(session: AsyncSession, *, code: str, now: datetime) -> list[str]:
    """Team, members (the first leads) and a weekly rotation; `odvarsel seed-demo` adds the
    default escalation policy with `DEMO_FALLBACK`."""
    if await repository.get_team_by_name(session, municipality_code=code, name=DEMO_TEAM):
        return []
    team = await team_service.create_team(
        session, team_in=TeamIn(municipality=code, name=DEMO_TEAM, receives_alerts=True), now=now
    )
    members = [
        await team_service.add_member(session, team_id=team.id, member_in=m, now=now)
        for m in DEMO_MEMBERS
    ]
    await session.flush()
    await team_service.update_team(
        session, team_id=team.id, update=TeamUpdate(leader_member_id=members[0].id)
    )
    await rota_service.create_rotation(
        session,
        team_id=team.id,
        rotation_in=RotationIn(
            name="Ukevakt", member_ids=[m.id for m in members], anchor=DEMO_ANCHOR, shift_days=7
        ),
        now=now,
    )
    return [f"team {DEMO_TEAM} ({team.id}) with {len(members)} members and rotation"]
