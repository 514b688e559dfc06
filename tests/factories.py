"""Builds test data through the services and the API, as a real caller would."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.alerts.schemas import ALERT_EXAMPLE
from app.auth import service as auth_service
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.roster import repository as roster_repository
from app.roster.models import Municipality
from app.state import AppState

MUNICIPALITIES = {"3107": "Fredrikstad", "0301": "Oslo", "1103": "Stavanger"}
_incident_numbers = itertools.count(1)


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


def alert_body(**overrides: Any) -> dict[str, Any]:
    """The documented example alert with a fresh incident id, and any fields replaced."""
    body = copy.deepcopy(ALERT_EXAMPLE)
    body["dispatch_incident_id"] = f"AMK-TEST-{next(_incident_numbers):06d}"
    body.update(overrides)
    return body
