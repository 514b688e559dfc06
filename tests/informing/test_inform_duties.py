"""The duty to tell the person what was shared (pbrl § 3-6): opened, listed, recorded."""

from __future__ import annotations

import uuid
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
from tests.migrations.test_migration_0006 import rows
from tests.personal_data import NATIONAL_ID, decoded, personal_body
from tests.problems import assert_problem
from tests.scenario import Scenario

RECORDER = {"name": "Kari Solberg", "role": "leder"}


FREDRIKSTAD, OSLO = ("3107",), ("0301",)
"""The case systems' municipalities (the AMK sends to both)."""


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
async def world(scenario: Scenario) -> Scenario:
    """Two alerts about the person (`first_alert`, `other_alert`)."""
    scenario.municipalities = FREDRIKSTAD + OSLO
    for _ in range(2):
        await scenario.alert(body=personal_body())
    return scenario


@pytest.fixture
def first_alert(world: Scenario) -> str:
    return str(world.alerts[0])


@pytest.fixture
def other_alert(world: Scenario) -> str:
    return str(world.alerts[1])


@pytest.fixture(autouse=True)
async def intake_duty(world: Scenario, first_alert: str) -> uuid.UUID:
    """An intake duty of the first alert, not yet recorded (every test here has one)."""
    return await open_intake_duty(world.state, first_alert, world.clock.now())


async def duties(
    world: Scenario, alert_id: str, municipalities: tuple[str, ...] = FREDRIKSTAD
) -> httpx.Response:
    """The alert's duties, as the case system of `municipalities` lists them."""
    url = f"/v1/alerts/{alert_id}/inform-duties"
    return await world.request("GET", url, Scope.ALERTS_DETAILS, municipalities=municipalities)


async def put(
    world: Scenario,
    alert_id: str,
    duty_id: object,
    body: Any,
    municipalities: tuple[str, ...] = FREDRIKSTAD,
) -> httpx.Response:
    """An answer recorded by the case system of `municipalities`."""
    url = f"/v1/alerts/{alert_id}/inform-duties/{duty_id}"
    return await world.request(
        "PUT", url, Scope.ALERTS_DETAILS, municipalities=municipalities, json=body
    )


def mine(listing: httpx.Response, duty_id: uuid.UUID) -> dict[str, Any]:
    assert listing.status_code == 200, listing.text
    [found] = [d for d in listing.json() if d["id"] == str(duty_id)]
    assert isinstance(found, dict)
    return found


async def test_an_open_duty_is_listed_until_recorded(
    world: Scenario, clock: FakeClock, first_alert: str, other_alert: str, intake_duty: uuid.UUID
) -> None:
    duty = mine(await duties(world, first_alert), intake_duty)
    assert duty == {
        "id": str(intake_duty),
        "alert_id": first_alert,
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
    other = (await duties(world, other_alert)).json()
    assert str(intake_duty) not in {d["id"] for d in other}


async def test_who_informs_is_recorded_and_may_be_replaced(
    world: Scenario, state: AppState, clock: FakeClock, first_alert: str, intake_duty: uuid.UUID
) -> None:
    clock.advance(timedelta(minutes=20))
    body = {"not_informed_reason": "Personen er ikke å nå i dag.", "recorded_by": RECORDER}
    first = await put(world, first_alert, intake_duty, body)
    assert first.status_code == 200, first.text
    assert (first.json()["recorded"], first.json()["informed_by"]) == (True, None)
    assert first.json()["recorded_by"] == "Kari Solberg (leder)"

    clock.advance(timedelta(days=1))  # told the next day, under a new token (the harness's)
    body = {
        "informed_by": "Ingrid Haugen",
        "recorded_by": {"name": "Ingrid Haugen", "role": "sykepleier"},
    }
    second = await put(world, first_alert, intake_duty, body)
    assert second.status_code == 200, second.text
    recorded = second.json()
    assert (recorded["informed_by"], recorded["not_informed_reason"]) == ("Ingrid Haugen", None)
    assert datetime.fromisoformat(recorded["recorded_at"]) == clock.now()
    assert mine(await duties(world, first_alert), intake_duty) == recorded

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
    world: Scenario, body: dict[str, Any], field: str, first_alert: str, intake_duty: uuid.UUID
) -> None:
    response = await put(world, first_alert, intake_duty, body)
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == field
    assert NATIONAL_ID not in response.text
    duty = mine(await duties(world, first_alert), intake_duty)
    assert duty["recorded"] is False


async def test_the_reason_for_not_telling_names_the_law(
    world: Scenario, first_alert: str, intake_duty: uuid.UUID
) -> None:
    response = await put(world, first_alert, intake_duty, {"recorded_by": RECORDER})
    [error] = assert_problem(response, 422)["errors"]
    assert "pasient- og brukerrettighetsloven § 3-6" in error["reason"]


async def test_another_alert_s_duty_or_municipality_is_not_found(
    world: Scenario, first_alert: str, other_alert: str, intake_duty: uuid.UUID
) -> None:
    body = {"informed_by": "Ingrid Haugen", "recorded_by": RECORDER}
    assert_problem(await put(world, other_alert, intake_duty, body), 404)
    assert_problem(await put(world, first_alert, uuid.uuid4(), body), 404)
    assert_problem(await put(world, first_alert, intake_duty, body, OSLO), 404)
    assert_problem(await duties(world, first_alert, OSLO), 404)
    assert_problem(await duties(world, str(uuid.uuid4())), 404)
    duty = mine(await duties(world, first_alert), intake_duty)
    assert duty["recorded"] is False


async def test_open_duty_refuses_two_answers_or_no_categories(
    state: AppState, world: Scenario, clock: FakeClock, first_alert: str
) -> None:
    async with state.sessions() as session:
        base: dict[str, Any] = {
            "alert_id": uuid.UUID(first_alert),
            "trigger": InformTrigger.INTAKE,
            "recipient": "team",
            "now": clock.now(),
        }
        with pytest.raises(ValueError, match="not both"):
            informing.open_duty(
                session,
                categories=[DataCategory.IDENTITY],
                answer=informing.InformAnswer("Ingrid", "Ikke å nå", recorded_by="Kari"),
                **base,
            )
        with pytest.raises(ValueError, match="categories"):
            informing.open_duty(session, categories=[], **base)


async def test_the_table_holds_one_answer_at_most(state: AppState, world: Scenario) -> None:
    with pytest.raises(IntegrityError):
        async with state.engine.begin() as connection:
            await connection.execute(
                text("UPDATE inform_duty SET informed_by = 'A', not_informed_reason = 'B'")
            )


async def test_duties_of_lists_oldest_first(
    state: AppState, world: Scenario, clock: FakeClock, first_alert: str, intake_duty: uuid.UUID
) -> None:
    clock.advance(timedelta(minutes=5))
    later = await open_intake_duty(state, first_alert, clock.now())
    async with state.sessions() as session:
        found: list[InformDuty] = await informing.duties_of(
            session, alert_id=uuid.UUID(first_alert)
        )
    ours = [d.id for d in found if d.id in (intake_duty, later)]
    assert ours == [intake_duty, later]
