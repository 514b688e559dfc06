"""Recognisable personal values, alerts that carry them, and raw reads of what was stored."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import inspect, text

from app.auth.scopes import Scope
from app.state import AppState
from tests.factories import ApiCredentials, alert_body
from tests.scenario import Scenario

NAME = "Kari Nordkvinne"
NATIONAL_ID = "24057710035"
INVALID_NATIONAL_ID = "24057710036"  # the second check digit is wrong
PHONE_TYPED = "912 34 567"
PHONE_E164 = "+4791234567"
PLACE = "Storgata 7 oppgang B"
DRUG = "Lilla tabletter merket Zx9"
WARD = "Akuttposten Haraldsgate"
RECOGNISABLE = [
    # No part shorter than 8 characters: "Zx9" turned up by chance inside a sealed (base64)
    # value. The drug and the ward are searched whole, spaces and all.
    DRUG,
    WARD,
    NAME,
    "Nordkvinne",
    NATIONAL_ID,
    INVALID_NATIONAL_ID,
    PHONE_TYPED,
    PHONE_E164,
    "91234567",
    PLACE,
    "Storgata",
]
"""Each value, and the parts of it that alone would still give the person away."""

REASON = "Leder vurderer oppfølging"


def personal_body(**overrides: Any) -> dict[str, Any]:
    """An alert with every personal field filled with a recognisable value."""
    body = alert_body(**overrides)
    body["person"] = {
        "national_id": NATIONAL_ID,
        "name": NAME,
        "phone": PHONE_TYPED,
        "birth_year": 1977,
        "sex": "female",
        "homeless": True,
        "children_in_household": False,
    }
    body["place"] = {
        "description": PLACE,
        "latitude": 59.2181,
        "longitude": 10.9298,
        "type": "own_home",
    }
    body["destination"] = {"type": "home_alone", "name": WARD}
    body["clinical"] = {
        **body["clinical"],
        "substances": ["heroin", "benzodiazepine"],
        "drug_description": DRUG,
    }
    body["scene"] = {"others_present": True, "relative_called_113": True}
    return body


async def case_system(
    scenario: Scenario, municipalities: tuple[str, ...] = ("3107",)
) -> ApiCredentials:
    """The case system (`alerts:details`) of `municipalities`, which reads the details."""
    return await scenario.client(Scope.ALERTS_DETAILS, municipalities=municipalities)


async def privacy_officer(scenario: Scenario) -> ApiCredentials:
    """Fredrikstad's privacy officer (`privacy:read`)."""
    return await scenario.client(Scope.PRIVACY_READ, municipalities=("3107",))


async def details(
    http: httpx.AsyncClient, who: ApiCredentials, alert_id: str, reason: str | None = REASON
) -> httpx.Response:
    params = {"reason": reason} if reason is not None else {}
    return await http.get(f"/v1/alerts/{alert_id}/details", params=params, headers=who.headers)


async def raw_rows(state: AppState) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table, read with SELECT * as a database dump would."""
    rows: list[tuple[str, dict[str, Any]]] = []
    async with state.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in tables:
            result = await connection.execute(text(f'SELECT * FROM "{table}"'))
            rows.extend((table, dict(row._mapping)) for row in result)
    return rows


async def alert_row(state: AppState, alert_id: str) -> dict[str, Any]:
    # SQLite keeps UUIDs as 32 hex digits; PostgreSQL as uuid.
    key = uuid.UUID(alert_id).hex if state.settings.is_sqlite else uuid.UUID(alert_id)
    async with state.engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM alert WHERE id = :id"), {"id": key})
        return dict(result.one()._mapping)


async def log_rows(state: AppState) -> list[dict[str, Any]]:
    async with state.engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM access_log_entry ORDER BY id"))
        return [dict(row._mapping) for row in result]


def decoded(value: Any) -> Any:
    """A JSON column read with raw SQL: text on both databases."""
    return json.loads(value) if isinstance(value, str) else value
