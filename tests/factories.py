"""Builds test data through the services and the API, as a real caller would."""

from __future__ import annotations

import copy
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

from app.alerts.schemas.examples import ALERT_EXAMPLE
from app.api.admin import AdminScope
from app.auth import service as auth_service
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.escalation.policy import rules as escalation_policy
from app.escalation.policy import service as escalation_service
from app.escalation.policy.schemas import PolicyIn
from app.roster.enums import MemberRole
from app.roster.models import Municipality
from app.roster.rota import service as rota_service
from app.roster.rota.schemas import RotationIn
from app.roster.teams import repository as roster_repository
from app.roster.teams import service as team_service
from app.roster.teams.schemas import MemberIn, TeamIn, TeamUpdate
from app.state import AppState

MUNICIPALITIES = {"3107": "Fredrikstad", "0301": "Oslo", "1103": "Stavanger"}
_incident_numbers = itertools.count(1)
_mobile_numbers = itertools.count(1)


@dataclass
class ApiCredentials:
    client_id: str
    secret: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Factory:
    state: AppState
    http: httpx.AsyncClient
    clock: FakeClock
    _municipalities_added: bool = field(default=False)
    _standby_teams: dict[str, uuid.UUID] = field(default_factory=dict)
    _own_teams: set[str] = field(default_factory=set)

    async def municipalities(self) -> None:
        if self._municipalities_added:
            return
        async with self.state.sessions() as session, session.begin():
            for code, name in MUNICIPALITIES.items():
                roster_repository.add_municipality(
                    session, Municipality(code=code, name=name, created_at=self.clock.now())
                )
        self._municipalities_added = True

    async def api_client(
        self,
        *,
        municipalities: tuple[str, ...] = ("3107",),
        scopes: tuple[str, ...] = (Scope.ALERTS_WRITE, Scope.ALERTS_READ),
        with_token: bool = True,
    ) -> ApiCredentials:
        await self.municipalities()
        async with self.state.sessions() as session, session.begin():
            created = await auth_service.create_client(
                session,
                name="Test AMK",
                municipality_codes=list(municipalities),
                scopes=list(scopes),
                now=self.clock.now(),
            )
        credentials = ApiCredentials(client_id=created.client_id, secret=created.secret)
        if Scope.ALERTS_WRITE in scopes:
            for code in municipalities:
                await self.standby_team(code)
        if with_token:
            credentials.token = await self.token(credentials)
        return credentials

    async def token(self, credentials: ApiCredentials) -> str:
        response = await self.http.post(
            "/v1/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.secret,
            },
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    async def post_alert(self, credentials: ApiCredentials, body: dict[str, Any]) -> str:
        """Post an alert through the API; its id."""
        response = await self.http.post("/v1/alerts", json=body, headers=credentials.headers)
        assert response.status_code == 201, response.text
        alert_id: str = response.json()["id"]
        return alert_id

    async def standby_team(self, municipality: str) -> None:
        """Alerts need a receiving team (intake refuses them otherwise): a one-member team on
        duty around the clock, unless the test has built its own team for the municipality."""
        if municipality in self._standby_teams or municipality in self._own_teams:
            return
        setup = await self.team(municipality=municipality, name="Standby", member_names=("Sam",))
        self._standby_teams[municipality] = setup.team_id

    async def admin_client(self, municipalities: tuple[str, ...] = ("3107",)) -> ApiCredentials:
        """Credentials with the `admin` scope only, administering `municipalities`."""
        return await self.api_client(municipalities=municipalities, scopes=(Scope.ADMIN,))

    async def team(
        self,
        *,
        municipality: str = "3107",
        name: str = "Ressursteam overdose",
        receives_alerts: bool = True,
        member_names: tuple[str, ...] = ("Ada Lund", "Bo Dahl", "Cy Moe"),
        leader: bool = True,
        around_the_clock: bool = True,
        policy: escalation_policy.Policy | None = None,
    ) -> TeamSetup:
        """A team with members (the first is leader when `leader`); with `around_the_clock` a
        weekly rotation in member order whose first turn starts now, so `member_ids[0]` is on
        duty for a week. Without `policy` the team escalates by DEFAULT_POLICY."""
        await self.municipalities()
        now = self.clock.now()
        standby = self._standby_teams.pop(municipality, None) if receives_alerts else None
        async with self.state.sessions() as session, session.begin():
            operator = AdminScope(session, EVERY_MUNICIPALITY, now)
            if standby is not None:  # the test's own team takes over the municipality's alerts
                await team_service.update_team(
                    operator, team_id=standby, update=TeamUpdate(receives_alerts=False)
                )
            team = await team_service.create_team(
                operator,
                team_in=TeamIn(
                    municipality=municipality, name=name, receives_alerts=receives_alerts
                ),
            )
            members = [
                await team_service.add_member(
                    operator,
                    team_id=team.id,
                    member_in=MemberIn(
                        name=member_name,
                        mobile=f"+4791{next(_mobile_numbers):06d}",
                        role=MemberRole.LEDER if leader and i == 0 else MemberRole.SYKEPLEIER,
                        is_health_personnel=True,
                    ),
                )
                for i, member_name in enumerate(member_names)
            ]
            await session.flush()
            member_ids = [m.id for m in members]
            if leader and members:
                await team_service.update_team(
                    operator, team_id=team.id, update=TeamUpdate(leader_member_id=member_ids[0])
                )
            if around_the_clock and members:
                rotation = RotationIn(member_ids=member_ids, anchor=now, shift_days=7)
                await rota_service.create_rotation(operator, team_id=team.id, rotation_in=rotation)
        if name != "Standby":
            self._own_teams.add(municipality)
        setup = TeamSetup(
            team_id=team.id,
            member_ids=member_ids,
            leader_id=member_ids[0] if leader and members else None,
            mobiles={m.id: m.mobile for m in members},
        )
        if policy is not None:
            await self.set_policy(setup.team_id, policy)
        return setup

    async def set_policy(self, team_id: uuid.UUID, policy: escalation_policy.Policy) -> None:
        """Store a (pure) policy as the team's own, through the service that validates it."""
        policy_in = PolicyIn(
            steps=escalation_service.step_models(policy),
            repeat=policy.repeat,
            fallback_number=policy.fallback_number,
        )
        async with self.state.sessions() as session, session.begin():
            await escalation_service.save_policy(
                session,
                municipalities=EVERY_MUNICIPALITY,
                team_id=team_id,
                policy_in=policy_in,
                now=self.clock.now(),
            )


@dataclass(frozen=True)
class TeamSetup:
    team_id: uuid.UUID
    member_ids: list[uuid.UUID]
    """In rotation order; `member_ids[0]` is on duty first (and leads, by default)."""
    leader_id: uuid.UUID | None
    mobiles: dict[uuid.UUID, str]


def alert_body(**overrides: Any) -> dict[str, Any]:
    """The documented example alert with a fresh incident id, and any fields replaced."""
    body = copy.deepcopy(ALERT_EXAMPLE)
    body["dispatch_incident_id"] = f"AMK-TEST-{next(_incident_numbers):06d}"
    body.update(overrides)
    return body


async def count_alerts(state: AppState) -> int:
    """Alerts stored, read from the table itself (not through the API under test)."""
    async with state.engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM alert"))).scalar_one())
