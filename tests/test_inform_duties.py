"""The duty to tell the person what was shared (pbrl § 3-6): opened, listed, recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.consent.enums import DataCategory
from app.informing import service as informing
from app.informing.models import InformDuty, InformTrigger
from app.state import AppState
from tests.factories import ApiCredentials, Factory
from tests.personal_data import NATIONAL_ID, decoded, personal_body
from tests.problems import assert_problem
from tests.test_migration_0006 import rows

RECORDER = {"name": "Kari Solberg", "role": "leder"}


@dataclass
class World:
    case_system: ApiCredentials
    oslo_case_system: ApiCredentials
    alert: str
    other_alert: str
    duty: uuid.UUID
    """An intake duty of `alert`, not yet recorded."""


async def open_intake_duty(state: AppState, alert_id: str, now: datetime) -> uuid.UUID:
    async with state.sessions() as session, session.begin():
        duty = informing.open_duty(
            session,
            alert_id=uuid.UUID(alert_id),
            trigger=InformTrigger.INTAKE,
            recipient="team",
            categories=[DataCategory.IDENTITY, DataCategory.ACUTE_RISK, DataCategory.IDENTITY],
            now=now,
        )
    return duty.id


@pytest.fixture
async def world(factory: Factory, state: AppState, clock: FakeClock) -> World:
    amk = await factory.api_client(municipalities=("3107", "0301"))
    alert = await factory.post_alert(amk, personal_body())
    other_alert = await factory.post_alert(amk, personal_body())
    return World(
        case_system=await factory.api_client(scopes=(Scope.ALERTS_DETAILS,)),
        oslo_case_system=await factory.api_client(
            municipalities=("0301",), scopes=(Scope.ALERTS_DETAILS,)
        ),
        alert=alert,
        other_alert=other_alert,
        duty=await open_intake_duty(state, alert, clock.now()),
    )


async def duties(http: httpx.AsyncClient, who: ApiCredentials, alert_id: str) -> httpx.Response:
    return await http.get(f"/v1/alerts/{alert_id}/inform-duties", headers=who.headers)


async def put(
    http: httpx.AsyncClient, who: ApiCredentials, alert_id: str, duty_id: object, body: Any
) -> httpx.Response:
    url = f"/v1/alerts/{alert_id}/inform-duties/{duty_id}"
    return await http.put(url, json=body, headers=who.headers)


def mine(listing: httpx.Response, duty_id: uuid.UUID) -> dict[str, Any]:
    assert listing.status_code == 200, listing.text
    [found] = [d for d in listing.json() if d["id"] == str(duty_id)]
    assert isinstance(found, dict)
    return found


async def test_an_open_duty_is_listed_until_recorded(
    http: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    duty = mine(await duties(http, world.case_system, world.alert), world.duty)
    assert duty == {
        "id": str(world.duty),
        "alert_id": world.alert,
        "opened_at": duty["opened_at"],
        "trigger": "intake",
        "decision_id": None,
        "recipient": "team",
        "categories": ["acute_risk", "identity"],
        "recorded": False,
        "informed_by": None,
        "not_informed_reason": None,
        "recorded_at": None,
        "recorded_by": None,
    }
    assert datetime.fromisoformat(duty["opened_at"]) == clock.now()
    other = (await duties(http, world.case_system, world.other_alert)).json()
    assert str(world.duty) not in {d["id"] for d in other}


async def test_who_informs_is_recorded_and_may_be_replaced(
    http: httpx.AsyncClient, world: World, state: AppState, clock: FakeClock, factory: Factory
) -> None:
    clock.advance(timedelta(minutes=20))
    body = {"not_informed_reason": "Personen er ikke å nå i dag.", "recorded_by": RECORDER}
    first = await put(http, world.case_system, world.alert, world.duty, body)
    assert first.status_code == 200, first.text
    assert (first.json()["recorded"], first.json()["informed_by"]) == (True, None)
    assert first.json()["recorded_by"] == "Kari Solberg (leder)"

    clock.advance(timedelta(days=1))  # told the next day, under a new token
    world.case_system.token = await factory.token(world.case_system)
    body = {
        "informed_by": "Ingrid Haugen",
        "recorded_by": {"name": "Ingrid Haugen", "role": "sykepleier"},
    }
    second = await put(http, world.case_system, world.alert, world.duty, body)
    assert second.status_code == 200, second.text
    recorded = second.json()
    assert (recorded["informed_by"], recorded["not_informed_reason"]) == ("Ingrid Haugen", None)
    assert datetime.fromisoformat(recorded["recorded_at"]) == clock.now()
    assert mine(await duties(http, world.case_system, world.alert), world.duty) == recorded

    [row] = await rows(
        state,
        "SELECT informed_by, not_informed_reason, recorded_by, categories FROM inform_duty "
        "WHERE recorded_by IS NOT NULL",
    )
    assert row[:3] == ("Ingrid Haugen", None, "Ingrid Haugen (sykepleier)")
    assert decoded(row[3]) == ["acute_risk", "identity"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recorded_by": RECORDER}, "informed_by"),
        (
            {"informed_by": "Ingrid", "not_informed_reason": "Ikke å nå", "recorded_by": RECORDER},
            "not_informed_reason",
        ),
        ({"informed_by": "Ingrid"}, "recorded_by"),
        ({"informed_by": NATIONAL_ID, "recorded_by": RECORDER}, "informed_by"),
        ({"not_informed_reason": "x", "recorded_by": RECORDER}, "not_informed_reason"),
    ],
)
async def test_exactly_one_answer_is_recorded(
    http: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    response = await put(http, world.case_system, world.alert, world.duty, body)
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == field
    assert NATIONAL_ID not in response.text
    duty = mine(await duties(http, world.case_system, world.alert), world.duty)
    assert duty["recorded"] is False


async def test_the_reason_for_not_telling_names_the_law(
    http: httpx.AsyncClient, world: World
) -> None:
    response = await put(
        http, world.case_system, world.alert, world.duty, {"recorded_by": RECORDER}
    )
    [error] = assert_problem(response, 422)["errors"]
    assert "pasient- og brukerrettighetsloven § 3-6" in error["reason"]


async def test_another_alert_s_duty_or_municipality_is_not_found(
    http: httpx.AsyncClient, world: World
) -> None:
    body = {"informed_by": "Ingrid Haugen", "recorded_by": RECORDER}
    assert_problem(await put(http, world.case_system, world.other_alert, world.duty, body), 404)
    assert_problem(await put(http, world.case_system, world.alert, uuid.uuid4(), body), 404)
    assert_problem(await put(http, world.oslo_case_system, world.alert, world.duty, body), 404)
    assert_problem(await duties(http, world.oslo_case_system, world.alert), 404)
    assert_problem(await duties(http, world.case_system, str(uuid.uuid4())), 404)
    duty = mine(await duties(http, world.case_system, world.alert), world.duty)
    assert duty["recorded"] is False


async def test_open_duty_refuses_two_answers_or_no_categories(
    state: AppState, world: World, clock: FakeClock
) -> None:
    async with state.sessions() as session:
        base: dict[str, Any] = {
            "alert_id": uuid.UUID(world.alert),
            "trigger": InformTrigger.INTAKE,
            "recipient": "team",
            "now": clock.now(),
        }
        with pytest.raises(ValueError, match="not both"):
            informing.open_duty(
                session,
                categories=[DataCategory.IDENTITY],
                informed_by="Ingrid",
                not_informed_reason="Ikke å nå",
                **base,
            )
        with pytest.raises(ValueError, match="categories"):
            informing.open_duty(session, categories=[], **base)


async def test_the_table_holds_one_answer_at_most(state: AppState, world: World) -> None:
    with pytest.raises(IntegrityError):
        async with state.engine.begin() as connection:
            await connection.execute(
                text("UPDATE inform_duty SET informed_by = 'A', not_informed_reason = 'B'")
            )


async def test_duties_of_lists_oldest_first(
    state: AppState, world: World, clock: FakeClock
) -> None:
    clock.advance(timedelta(minutes=5))
    later = await open_intake_duty(state, world.alert, clock.now())
    async with state.sessions() as session:
        found: list[InformDuty] = await informing.duties_of(
            session, alert_id=uuid.UUID(world.alert)
        )
    ours = [d.id for d in found if d.id in (world.duty, later)]
    assert ours == [world.duty, later]
