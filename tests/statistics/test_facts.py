"""An alert's anonymous facts: derived (pure, table-tested) and stored by `refresh_facts`,
which the retention engine calls with `freeze=True` before it purges identity."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from app.auth.scopes import Scope
from app.consent.enums import ConsentState
from app.followup.state import StepState
from app.statistics import facts
from app.statistics.facts import AlertValues, Step, derive_fact
from app.statistics.models import AlertFact
from tests.scenario import Scenario

SUNDAY_NIGHT = datetime(2026, 11, 22, 22, 41, tzinfo=UTC)  # 23:41 in Oslo
MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Oslo
NEW_YEAR = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Oslo

PERSONAL = {
    "person.sex": "female",
    "destination.type": "home_alone",
    "place.type": "own_home",
    "clinical.outcome": "declined_transport",
    "naloxone.given": True,
    "naloxone.by": ["bystander", "ambulance"],
    "clinical.substances": ["heroin", "lar_medicine", "benzodiazepine"],
}


def values(**changes: Any) -> AlertValues:
    base: dict[str, Any] = {
        "municipality_code": "3107",
        "kind": "non_fatal",
        "occurred_at": SUNDAY_NIGHT,
        "consent_state": ConsentState.NOT_ASKED,
        "age_band": "adult",
        "national_id_hash": "h" * 64,
        "notified_at": SUNDAY_NIGHT + timedelta(minutes=2),
        "acknowledged_at": SUNDAY_NIGHT + timedelta(minutes=9, seconds=59),
        "personal": PERSONAL,
        "steps": {
            "reach": Step(StepState.DONE, SUNDAY_NIGHT + timedelta(hours=20)),
            "next_appointment": Step(StepState.OPEN, None),
        },
    }
    return AlertValues(**{**base, **changes})


def test_a_full_alert_gives_every_fact() -> None:
    assert derive_fact(values()) == {
        "municipality_code": "3107",
        "month": "2026-11",
        "kind": "non_fatal",
        "evening": True,
        "weekend": True,
        "age_band": "adult",
        "outcome": "declined_transport",
        "destination": "home_alone",
        "substance_groups": ["benzodiazepine", "opioid"],
        "place_type": "own_home",
        "sex": "female",
        "naloxone": True,
        "naloxone_by_bystander": True,
        "person_key": "h" * 64,
        "minutes_to_acknowledge": 7,
        "reached_within_24h": True,
        "next_appointment": False,
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Oslo's month and hour, not UTC's
        ({"occurred_at": NEW_YEAR}, {"month": "2027-01", "evening": True, "weekend": False}),
        ({"occurred_at": MONDAY_NOON}, {"month": "2026-11", "evening": False, "weekend": False}),
        (
            {"occurred_at": datetime(2026, 11, 23, 15, 0, tzinfo=UTC)},  # 16:00 Oslo
            {"evening": True},
        ),
        (
            {"occurred_at": datetime(2026, 11, 23, 7, 0, tzinfo=UTC)},  # 08:00 Oslo
            {"evening": False},
        ),
        # Reached: within 24 h of the overdose, later, not yet, no such step, no case
        (
            {"steps": {"reach": Step(StepState.DONE, SUNDAY_NIGHT + timedelta(hours=24))}},
            {"reached_within_24h": True, "next_appointment": None},
        ),
        (
            {"steps": {"reach": Step(StepState.DONE, SUNDAY_NIGHT + timedelta(hours=25))}},
            {"reached_within_24h": False},
        ),
        (
            {"steps": {"reach": Step(StepState.NOT_REACHED, SUNDAY_NIGHT)}},
            {"reached_within_24h": False},
        ),
        (
            {"steps": {"next_appointment": Step(StepState.DONE, SUNDAY_NIGHT)}},
            {"reached_within_24h": None, "next_appointment": True},
        ),
        ({"steps": None}, {"reached_within_24h": None, "next_appointment": None}),
        # Naloxone: a giver named means given; no bystander named means not by one
        (
            {"personal": {"naloxone.by": ["ambulance"]}},
            {"naloxone": True, "naloxone_by_bystander": False},
        ),
        (
            {"personal": {"naloxone.given": True}},
            {"naloxone": True, "naloxone_by_bystander": None},
        ),
        (
            {"personal": {"naloxone.given": False}},
            {"naloxone": False, "naloxone_by_bystander": False},
        ),
        ({"personal": {}}, {"naloxone": None, "naloxone_by_bystander": None, "sex": None}),
        # Substances in their groups; none reported is unknown
        (
            {"personal": {"clinical.substances": ["other_pills", "prescription_medicine"]}},
            {"substance_groups": ["other_medicine"]},
        ),
        ({"personal": {"clinical.substances": []}}, {"substance_groups": None}),
        # Time to acknowledge: only when both times are known
        ({"acknowledged_at": None}, {"minutes_to_acknowledge": None}),
        ({"notified_at": None}, {"minutes_to_acknowledge": None}),
    ],
)
def test_each_fact_from_its_values(changes: dict[str, Any], expected: dict[str, Any]) -> None:
    fact = derive_fact(values(**changes))
    assert {key: fact[key] for key in expected} == expected


def test_an_objected_alert_keeps_only_municipality_hour_outcome_and_age_band() -> None:
    fact = derive_fact(values(consent_state=ConsentState.OBJECTED))
    kept = {key: value for key, value in fact.items() if value is not None}
    assert kept == {
        "municipality_code": "3107",
        "month": "2026-11",
        "kind": "non_fatal",
        "evening": True,
        "weekend": True,
        "age_band": "adult",
        "outcome": "declined_transport",
    }


# Stored


async def fact_of(scenario: Scenario, alert_id: uuid.UUID) -> AlertFact | None:
    async with scenario.state.sessions() as session:
        return await session.get(AlertFact, alert_id)


async def refresh(scenario: Scenario, *alert_ids: uuid.UUID, freeze: bool = False) -> int:
    async with scenario.state.sessions() as session, session.begin():
        return await facts.refresh_facts(
            session,
            alert_ids,
            cipher=scenario.state.cipher,
            freeze=freeze,
            now=scenario.clock.now(),
        )


async def test_refresh_writes_the_facts_from_the_alert_and_its_case(scenario: Scenario) -> None:
    team = await scenario.team()
    alert_id = await scenario.alert(
        ago=timedelta(minutes=30),
        naloxone=False,
        person={"national_id": "01010750160", "sex": "male", "age_band": "adult"},
    )
    await scenario.settle()
    scenario.advance(timedelta(minutes=12))
    case = await scenario.take(alert_id, team.member_ids[0])
    assert case is not None

    assert await refresh(scenario, alert_id) == 1
    fact = await fact_of(scenario, alert_id)
    assert fact is not None
    assert (fact.municipality_code, fact.month, fact.kind, fact.sex, fact.age_band) == (
        "3107",
        "2026-11",
        "non_fatal",
        "male",
        "adult",
    )
    assert (fact.place_type, fact.destination, fact.outcome) == (
        "outdoors",
        "home_alone",
        "declined_transport",
    )
    assert fact.substance_groups == ["benzodiazepine", "opioid"]
    assert (fact.naloxone, fact.evening, fact.weekend) == (None, False, False)
    assert fact.person_key is not None and len(fact.person_key) == 64
    assert fact.minutes_to_acknowledge == 12
    assert (fact.reached_within_24h, fact.next_appointment) == (False, False)
    assert (fact.frozen, fact.refreshed_at) == (False, scenario.clock.now())

    # The first contact recorded: refreshed again, the same row
    response = await scenario.request(
        "POST",
        f"/v1/cases/{case.id}/steps/reach/records",
        Scope.ALERTS_DETAILS,
        json={"action": "done"},
    )
    assert response.status_code == 200, response.text
    assert await refresh(scenario, alert_id) == 1
    fact = await fact_of(scenario, alert_id)
    assert fact is not None and fact.reached_within_24h is True


async def test_a_frozen_fact_is_never_written_again(scenario: Scenario) -> None:
    await scenario.team()
    first = await scenario.alert(ago=timedelta(minutes=5))
    second = await scenario.alert(ago=timedelta(minutes=5))
    assert await refresh(scenario, first) == 1
    assert await refresh(scenario, first, second, freeze=True) == 2
    assert await refresh(scenario, first, second) == 0
    assert await refresh(scenario, first, freeze=True) == 0
    async with scenario.state.sessions() as session:
        rows = (await session.execute(select(AlertFact).order_by(col(AlertFact.month)))).scalars()
        assert [fact.frozen for fact in rows] == [True, True]
    assert await refresh(scenario) == 0


async def test_an_objected_alert_gives_only_its_anonymous_facts(scenario: Scenario) -> None:
    await scenario.team()
    alert_id = await scenario.alert(consent={"state": "objected"}, ago=timedelta(minutes=5))
    assert await refresh(scenario, alert_id) == 1
    fact = await fact_of(scenario, alert_id)
    assert fact is not None
    assert fact.person_key is None and fact.sex is None and fact.place_type is None
    assert fact.destination is None and fact.substance_groups is None and fact.naloxone is None
    assert fact.month == "2026-11" and fact.kind == "non_fatal"


async def test_two_writers_at_once_write_each_fact_once(scenario: Scenario) -> None:
    """Two workers' engines (or one and the retention engine) on the same alerts, given in
    opposite orders: both finish, and there is one fact per alert."""
    await scenario.team()
    alert_ids = [await scenario.alert(ago=timedelta(minutes=5)) for _ in range(6)]

    async def writer(ids: list[uuid.UUID]) -> int:
        async with scenario.state.sessions() as session, session.begin():
            return await facts.refresh_facts(session, ids, cipher=scenario.state.cipher)

    written = await asyncio.gather(writer(alert_ids), writer(alert_ids[::-1]))
    assert list(written) == [6, 6]
    async with scenario.state.sessions() as session:
        rows = (await session.execute(select(AlertFact))).scalars().all()
    assert sorted(fact.alert_id for fact in rows) == sorted(alert_ids)
