"""Demo data for `odvarsel seed-demo`: municipality 3107 Fredrikstad, a dispatch client, and a
team that is on duty around the clock. Above the domains: it uses roster, auth and escalation.

Fictional people and numbers (+479000000x are not in use). Idempotent: what exists is kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import AdminScope
from app.auth import service as auth_service
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.scopes import Scope
from app.errors import DomainError
from app.escalation.policy import rules as escalation_policy
from app.escalation.policy import service as escalation_service
from app.escalation.policy.schemas import PolicyIn
from app.roster.enums import HealthPersonnelBasis, MemberRole
from app.roster.models import Municipality
from app.roster.rota import service as rota_service
from app.roster.rota.oncall import OSLO
from app.roster.rota.schemas import RotationIn
from app.roster.teams import repository
from app.roster.teams import service as team_service
from app.roster.teams.schemas import MemberIn, TeamIn, TeamUpdate

DEMO_MUNICIPALITY = ("3107", "Fredrikstad")
DEMO_CLIENT_ID = "demo-amk"
DEMO_CLIENT_SECRET = "demo-secret-only-for-make-run"
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
        # Employed by the municipal health and care service to give care (hpl § 3 no. 2).
        health_personnel_basis=HealthPersonnelBasis.MUNICIPAL_CARE_ROLE,
    ),
    MemberIn(
        name="Jonas Berg",
        mobile="+4790000002",
        email="jonas.berg@example.no",
        role=MemberRole.RUSKONSULENT,
        health_personnel_basis=None,  # cooperating personnel (hpl § 25)
    ),
    MemberIn(
        name="Ingrid Haugen",
        mobile="+4790000003",
        email="ingrid.haugen@example.no",
        role=MemberRole.SYKEPLEIER,
        health_personnel_basis=HealthPersonnelBasis.AUTHORISATION,
    ),
)


async def seed_demo_roster(session: AsyncSession, *, code: str, now: datetime) -> list[str]:
    """Team, members (the first leads), a weekly rotation and the default policy."""
    if await repository.get_team_by_name(session, municipality_code=code, name=DEMO_TEAM):
        return []
    operator = AdminScope(session, EVERY_MUNICIPALITY, now)
    team = await team_service.create_team(
        operator, team_in=TeamIn(municipality=code, name=DEMO_TEAM, receives_alerts=True)
    )
    members = [
        await team_service.add_member(operator, team_id=team.id, member_in=m) for m in DEMO_MEMBERS
    ]
    await session.flush()
    await team_service.update_team(
        operator, team_id=team.id, update=TeamUpdate(leader_member_id=members[0].id)
    )
    await rota_service.create_rotation(
        operator,
        team_id=team.id,
        rotation_in=RotationIn(
            name="Ukevakt", member_ids=[m.id for m in members], anchor=DEMO_ANCHOR, shift_days=7
        ),
    )
    default = escalation_policy.DEFAULT_POLICY
    await escalation_service.save_policy(
        session,
        municipalities=EVERY_MUNICIPALITY,
        team_id=team.id,
        policy_in=PolicyIn(
            steps=escalation_service.step_models(default),
            repeat=default.repeat,
            fallback_number=DEMO_FALLBACK,
        ),
        now=now,
    )
    return [f"team {DEMO_TEAM} ({team.id}) with {len(members)} members, rotation and policy"]


async def seed_demo(session: AsyncSession, *, now: datetime) -> list[str]:
    """The demo municipality, dispatch client and team; what was added, for the CLI to print."""
    done: list[str] = []
    code, name = DEMO_MUNICIPALITY
    if await repository.get_municipality(session, code) is None:
        repository.add_municipality(session, Municipality(code=code, name=name, created_at=now))
        await session.flush()
        done.append(f"municipality {code} {name}")
    try:
        await auth_service.create_client(
            session,
            name="Demo AMK (make run)",
            municipality_codes=[code],
            scopes=[Scope.ALERTS_WRITE, Scope.ALERTS_READ],
            now=now,
            client_id=DEMO_CLIENT_ID,
            secret=DEMO_CLIENT_SECRET,
        )
        done.append(f"client {DEMO_CLIENT_ID}")
    except DomainError:
        pass  # already seeded
    return done + await seed_demo_roster(session, code=code, now=now)
