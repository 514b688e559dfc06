"""Follow-up cases: opened when an alert is taken (survivor or fatal, conditions from the
alert), and recorded, assigned and closed through the case API (scope `alerts:details`).

The team: Ada (leader), Bo and Cy. Bo takes the alerts.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.followup.cases import service as followup
from app.followup.cases.engine import FollowupEngine
from app.followup.cases.models import FollowupCase, FollowupStep
from app.notify.models import OutboxMessage
from app.state import AppState
from tests.factories import Factory
from tests.problems import assert_problem
from tests.scenario import Scenario

CASES = "/v1/cases"
ADA, BO, CY = 0, 1, 2
"""The team's members, by index: Ada leads, Bo takes the alerts."""


@pytest.fixture
async def desk(scenario: Scenario) -> Scenario:
    """A municipality's team; its AMK and its case system come when first used."""
    await scenario.team()
    return scenario


async def alert(desk: Scenario, **overrides: Any) -> uuid.UUID:
    """An alert of an overdose 20 minutes ago (the example alert, changed)."""
    return await desk.alert(ago=timedelta(minutes=20), **overrides)


async def take(
    desk: Scenario, alert_id: uuid.UUID, member_id: uuid.UUID | None = None
) -> uuid.UUID:
    """`member_id` (Bo by default) takes the alert, and its case opens: the case's id."""
    case = await desk.take(alert_id, desk.member(BO) if member_id is None else member_id)
    assert case is not None
    return case.id


async def case_api(desk: Scenario, method: str, path: str, body: Any = None) -> httpx.Response:
    """The case API as the case system (`alerts:details`)."""
    return await desk.request(method, f"{CASES}{path}", Scope.ALERTS_DETAILS, json=body)


async def read_case(desk: Scenario, case_id: uuid.UUID) -> dict[str, Any]:
    response = await case_api(desk, "GET", f"/{case_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def record(
    desk: Scenario, case_id: uuid.UUID, key: str, action: str, **fields: Any
) -> httpx.Response:
    return await case_api(
        desk, "POST", f"/{case_id}/steps/{key}/records", {"action": action, **fields}
    )


async def done(desk: Scenario, case_id: uuid.UUID, key: str, **fields: Any) -> dict[str, Any]:
    response = await record(desk, case_id, key, "done", **fields)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def steps_of(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in case["steps"]}


def open_keys(case: dict[str, Any]) -> list[str]:
    return [s["key"] for s in case["steps"] if s["active"]]


# Opening a case


async def test_taking_an_alert_opens_a_survivor_case(desk: Scenario) -> None:
    alert_id = await alert(desk)
    case_id = await take(desk, alert_id)
    case = await read_case(desk, case_id)
    assert (case["alert_id"], case["kind"], case["state"]) == (str(alert_id), "survivor", "open")
    assert case["owner"]["id"] == str(desk.member(BO))
    assert case["template_name"] == "Oppfølging etter ikke-dødelig overdose"
    steps = steps_of(case)
    assert steps["assess"]["owner"]["id"] == str(desk.member(ADA))
    assert steps["reach"]["owner"]["id"] == str(desk.member(BO))
    assert steps["visit"]["companion"] is None and steps["visit"]["companion_role"] == "team"
    # The example alert: others present, no home problem, no children, AMK did not ask for
    # consent (so the person must be told what was shared).
    assert steps["tell_what_was_shared"]["state"] == "open"
    for key in ("shelter", "children", "relatives", "parents", "parents_16_17"):
        assert (steps[key]["state"], steps[key]["active"]) == ("not_applicable", False), key
        assert steps[key]["recorded_by"] == "odvarsel"
    assert steps["reach"]["deadline"] == "2026-11-24T11:40:00Z"  # 24 h after the overdose
    assert steps["reach"]["remind_at"] == "2026-11-24T09:40:00Z"
    assert steps["assess"]["deadline"] == "2026-11-23T13:00:00Z"  # at once: an hour's lead
    assert [e["kind"] for e in case["events"]] == ["opened"]


async def test_the_conditions_come_from_the_alert_and_only_booleans_are_kept(
    desk: Scenario, state: AppState
) -> None:
    alert_id = await alert(
        desk,
        person={
            "national_id": "01010750160",
            "name": "Ola Nordmann",
            "homeless": True,
            "children_in_household": True,
            "age_band": "16_17",
        },
        scene={"others_present": False, "relative_present": True},
        consent={"state": "consented"},
    )
    case_id = await take(desk, alert_id)
    steps = steps_of(await read_case(desk, case_id))
    for key in ("shelter", "children", "relatives", "parents_16_17"):
        assert steps[key]["state"] == "open", key
    assert steps["parents"]["state"] == "not_applicable"  # 16 and 17 consent themselves
    assert steps["tell_what_was_shared"]["state"] == "not_applicable"  # consented
    async with state.sessions() as session:
        case = await session.get(FollowupCase, case_id)
        assert case is not None
        assert case.conditions == {
            "relatives_known": True,
            "shared_without_consent": False,
            "homeless": True,
            "children_in_household": True,
            "others_present": False,
            "minor": True,
            "under_16": False,
            "aged_16_17": True,
        }


async def test_a_fatal_alert_opens_the_fatal_template(desk: Scenario) -> None:
    alert_id = await alert(desk, kind="fatal", clinical={"outcome": "deceased"})
    case_id = await take(desk, alert_id, desk.member(ADA))
    case = await read_case(desk, case_id)
    assert (case["kind"], case["template_name"]) == ("fatal", "Oppfølging etter overdosedødsfall")
    steps = steps_of(case)
    assert steps["peer_outreach"]["state"] == "open"  # others were present
    assert steps["children_bereaved"]["state"] == "not_applicable"
    assert steps["serious_event_report"]["owner"]["id"] == str(desk.member(ADA))
    assert steps["bereaved_crisis_help"]["owner"] is None  # the leader assigns it


async def test_one_case_per_alert(desk: Scenario, state: AppState, clock: FakeClock) -> None:
    alert_id = await alert(desk)
    case_id = await take(desk, alert_id)
    clock.advance(timedelta(minutes=5))
    async with state.sessions() as session, session.begin():
        again = await followup.open_case_for_alert(
            session,
            alert_id=alert_id,
            taken_by=desk.member(CY),
            now=clock.now(),
            cipher=state.cipher,
            public_base_url=state.settings.http.public_base_url,
        )
        assert again is not None and again.id == case_id
        count = (await session.execute(select(func.count()).select_from(FollowupCase))).scalar()
        assert count == 1


async def test_no_case_for_an_anonymous_or_unknown_alert(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    objected = await alert(desk, consent={"state": "objected"})
    async with state.sessions() as session, session.begin():
        for alert_id in (objected, uuid.uuid4()):
            case = await followup.open_case_for_alert(
                session,
                alert_id=alert_id,
                taken_by=desk.member(BO),
                now=clock.now(),
                cipher=state.cipher,
                public_base_url=state.settings.http.public_base_url,
            )
            assert case is None


async def test_taken_by_the_fallback_number_the_leader_holds_the_takers_steps(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    alert_id = await alert(desk)
    async with state.sessions() as session, session.begin():
        case = await followup.open_case_for_alert(
            session,
            alert_id=alert_id,
            taken_by=None,
            now=clock.now(),
            cipher=state.cipher,
            public_base_url=state.settings.http.public_base_url,
        )
        assert case is not None
        case_id = case.id
    case_out = await read_case(desk, case_id)
    assert case_out["owner"]["id"] == str(desk.member(ADA))
    assert steps_of(case_out)["reach"]["owner"]["id"] == str(desk.member(ADA))


async def test_a_template_changed_later_does_not_change_an_open_case(
    desk: Scenario, factory: Factory, http: httpx.AsyncClient
) -> None:
    case_id = await take(desk, await alert(desk))
    admin = await factory.admin_client()
    url = "/v1/admin/municipalities/3107/followup-templates/survivor"
    template = (await http.get(url, headers=admin.headers)).json()["template"]
    template["steps"] = [s for s in template["steps"] if s["key"] != "od_folder"]
    template["steps"][1]["title"] = "Ring personen"
    assert (await http.put(url, json=template, headers=admin.headers)).status_code == 200

    old = steps_of(await read_case(desk, case_id))
    assert "od_folder" in old and old["reach"]["title"] == "Første kontakt med personen"
    new_case = await read_case(desk, await take(desk, await alert(desk)))
    assert new_case["template_name"] == template["name"]
    new = steps_of(new_case)
    assert "od_folder" not in new and new["reach"]["title"] == "Ring personen"


# Recording steps


async def test_recording_a_step(desk: Scenario, clock: FakeClock) -> None:
    case_id = await take(desk, await alert(desk))
    clock.advance(timedelta(minutes=30))
    case = await done(
        desk, case_id, "assess", outcome="Bo følger opp", by_member_id=str(desk.member(ADA))
    )
    assess = steps_of(case)["assess"]
    assert (assess["state"], assess["active"], assess["outcome"]) == (
        "done",
        False,
        "Bo følger opp",
    )
    assert assess["recorded_by"] == "Ada Lund (leder)"
    assert assess["recorded_at"] == "2026-11-23T12:30:00Z"
    assert assess["remind_at"] is None
    assert case["events"][-1] == {
        "at": "2026-11-23T12:30:00Z",
        "kind": "done",
        "step_key": "assess",
        "by": "Ada Lund (leder)",
        "outcome": "Bo følger opp",
        "note": None,
        "has_note": False,
        "deadline": None,
        "member_id": None,
    }
    again = await record(desk, case_id, "assess", "done")
    assert "reopen it" in assert_problem(again, 409)["detail"]


async def test_not_reached_keeps_the_step_active_with_a_next_attempt(
    desk: Scenario, clock: FakeClock
) -> None:
    case_id = await take(desk, await alert(desk))
    clock.advance(timedelta(hours=3))
    case = await record(desk, case_id, "reach", "not_reached", outcome="Ingen svar")
    reach = steps_of(case.json())["reach"]
    assert (reach["state"], reach["active"], reach["attempts"]) == ("not_reached", True, 1)
    assert reach["deadline"] == "2026-11-23T19:00:00Z"  # the step's retry hours (4) from now
    assert reach["remind_at"] == "2026-11-23T17:00:00Z"
    chosen = await record(
        desk, case_id, "reach", "not_reached", next_attempt_at="2026-11-24T09:00:00+01:00"
    )
    reach = steps_of(chosen.json())["reach"]
    assert (reach["attempts"], reach["deadline"]) == (2, "2026-11-24T08:00:00Z")
    for bad in ("2026-11-23T14:59:00Z", "2027-01-01T00:00:00Z", "2026-11-24T09:00:00"):
        refused = await record(desk, case_id, "reach", "not_reached", next_attempt_at=bad)
        assert_problem(refused, 422)
    finally_reached = await done(desk, case_id, "reach", outcome="Samtale på Stasjonen")
    assert steps_of(finally_reached)["reach"]["state"] == "done"


async def test_a_planned_sms_not_answered_resolves_its_step(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    case = await record(desk, case_id, "contact_day3_sms", "not_reached")
    step = steps_of(case.json())["contact_day3_sms"]
    assert (step["state"], step["active"]) == ("not_reached", False)
    with_time = await record(
        desk, case_id, "contact_week1_call", "not_reached", next_attempt_at="2026-11-30T12:00:00Z"
    )
    assert_problem(with_time, 422)


async def test_not_applicable_needs_a_reason_and_a_resolved_step_can_be_reopened(
    desk: Scenario, clock: FakeClock
) -> None:
    case_id = await take(desk, await alert(desk))
    assert_problem(await record(desk, case_id, "children", "done"), 409)  # not applicable
    reopened = await record(desk, case_id, "children", "reopen", note="Barn møtt ved besøket")
    children = steps_of(reopened.json())["children"]
    assert (children["state"], children["active"]) == ("open", True)
    assert children["deadline"] == "2026-11-24T12:00:00Z"  # 24 h from now, the default
    no_reason = await record(desk, case_id, "children", "not_applicable")
    assert assert_problem(no_reason, 422)["errors"][0]["field"] == "outcome"
    ok = await record(desk, case_id, "children", "not_applicable", outcome="Barna bor hos mor")
    assert steps_of(ok.json())["children"]["state"] == "not_applicable"
    assert_problem(await record(desk, case_id, "reach", "reopen"), 409)  # open already


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("note", "Fnr 01010750160 sjekket"),
        ("note", "Fnr 010107 50160"),
        ("outcome", "Nytt nummer 912 34 567"),
    ],
)
async def test_notes_refuse_a_national_id_or_phone_number(
    desk: Scenario, field: str, text: str
) -> None:
    case_id = await take(desk, await alert(desk))
    response = await record(desk, case_id, "reach", "done", **{field: text})
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == field
    assert "0101" not in response.text and "912" not in response.text  # never echoed
    too_long = await record(desk, case_id, "reach", "done", note="x" * 501)
    assert_problem(too_long, 422)
    steps = steps_of(await read_case(desk, case_id))
    assert steps["reach"]["state"] == "open"


async def test_unknown_steps_and_members(desk: Scenario, factory: Factory) -> None:
    case_id = await take(desk, await alert(desk))
    assert_problem(await record(desk, case_id, "no_such_step", "done"), 404)
    assert_problem(await record(desk, case_id, "Bad Key", "done"), 422)
    other_team = await factory.team(municipality="3107", name="Annet team", receives_alerts=False)
    stranger = await record(
        desk, case_id, "reach", "done", by_member_id=str(other_team.member_ids[1])
    )
    assert assert_problem(stranger, 422)["errors"][0]["field"] == "by_member_id"


async def test_the_case_closes_when_every_required_step_is_resolved(
    desk: Scenario, clock: FakeClock
) -> None:
    case_id = await take(desk, await alert(desk))
    case = await read_case(desk, case_id)
    remaining = open_keys(case)
    for key in remaining[:-1]:
        clock.advance(timedelta(hours=1))
        case = await done(desk, case_id, key)
        assert case["state"] == "open"
    case = await done(desk, case_id, remaining[-1], by_member_id=str(desk.member(ADA)))
    assert case["state"] == "closed"
    assert case["closed_by"] == "Ada Lund (leder)"
    assert case["active_steps"] == 0 and case["next_deadline"] is None
    assert [e["kind"] for e in case["events"][-2:]] == ["done", "closed"]
    late = await record(desk, case_id, "reach", "reopen")
    assert "closed" in assert_problem(late, 409)["detail"]


async def test_optional_steps_do_not_keep_a_case_open(
    desk: Scenario, factory: Factory, http: httpx.AsyncClient, state: AppState
) -> None:
    admin = await factory.admin_client()
    template = {
        "kind": "survivor",
        "name": "Kort",
        "steps": [
            {"key": "reach", "title": "Nå personen", "owner": "taker", "offset_hours": 24},
            {
                "key": "extra",
                "title": "Kaffe",
                "owner": "team",
                "offset_hours": 48,
                "required": False,
            },
        ],
    }
    url = "/v1/admin/municipalities/3107/followup-templates/survivor"
    assert (await http.put(url, json=template, headers=admin.headers)).status_code == 200
    case_id = await take(desk, await alert(desk))
    case = await done(desk, case_id, "reach")
    assert case["state"] == "closed"
    extra = steps_of(case)["extra"]
    assert (extra["state"], extra["active"]) == ("open", False)  # its deadline stopped
    async with state.sessions() as session:
        due = await session.execute(
            select(col(FollowupStep.next_due_at)).where(col(FollowupStep.case_id) == case_id)
        )
        assert set(due.scalars()) == {None}


# Assigning and closing early


async def test_assigning_a_companion_for_a_visit(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    path = f"/{case_id}/steps/visit/assignment"
    response = await case_api(desk, "POST", path, {"companion_member_id": str(desk.member(CY))})
    assert response.status_code == 200, response.text
    visit = steps_of(response.json())["visit"]
    assert (visit["owner"]["id"], visit["companion"]["id"]) == (
        str(desk.member(BO)),
        str(desk.member(CY)),
    )
    assert response.json()["events"][-1]["kind"] == "assigned"
    same = await case_api(desk, "POST", path, {"companion_member_id": str(desk.member(BO))})
    assert assert_problem(same, 422)["errors"][0]["field"] == "companion_member_id"
    unassign = await case_api(desk, "POST", path, {"companion_member_id": None})
    assert steps_of(unassign.json())["visit"]["companion"] is None
    not_leader = await case_api(
        desk,
        "POST",
        path,
        {"companion_member_id": str(desk.member(CY)), "by_member_id": str(desk.member(BO))},
    )
    assert_problem(not_leader, 403)
    await done(desk, case_id, "visit")
    resolved = await case_api(desk, "POST", path, {"owner_member_id": str(desk.member(CY))})
    assert_problem(resolved, 409)


async def test_reassigning_a_case(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    await done(desk, case_id, "od_folder")
    response = await case_api(
        desk, "POST", f"/{case_id}/reassignment", {"owner_member_id": str(desk.member(CY))}
    )
    assert response.status_code == 200, response.text
    case = response.json()
    assert case["owner"]["id"] == str(desk.member(CY))
    steps = steps_of(case)
    assert steps["reach"]["owner"]["id"] == str(desk.member(CY))
    assert steps["od_folder"]["owner"]["id"] == str(desk.member(BO))  # resolved: who did it stays
    assert steps["assess"]["owner"]["id"] == str(desk.member(ADA))  # the leader's own
    assert case["events"][-1]["kind"] == "reassigned"
    unknown = await case_api(
        desk, "POST", f"/{case_id}/reassignment", {"owner_member_id": str(uuid.uuid4())}
    )
    assert_problem(unknown, 422)


async def test_the_leader_closes_a_case_early_with_a_reason(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    not_leader = await case_api(
        desk,
        "POST",
        f"/{case_id}/closure",
        {"reason": "Flyttet", "by_member_id": str(desk.member(BO))},
    )
    assert_problem(not_leader, 403)
    assert_problem(await case_api(desk, "POST", f"/{case_id}/closure", {"reason": ""}), 422)
    with_id = await case_api(desk, "POST", f"/{case_id}/closure", {"reason": "Fnr 01010750160"})
    assert_problem(with_id, 422)
    response = await case_api(
        desk,
        "POST",
        f"/{case_id}/closure",
        {"reason": "Personen har flyttet; overført", "by_member_id": str(desk.member(ADA))},
    )
    assert response.status_code == 200, response.text
    case = response.json()
    assert (case["state"], case["close_reason"]) == (
        "closed_early",
        "Personen har flyttet; overført",
    )
    assert case["active_steps"] == 0
    twice = await case_api(desk, "POST", f"/{case_id}/closure", {"reason": "Igjen"})
    assert_problem(twice, 409)


# Listing and access


async def test_cases_are_listed_overdue_first(desk: Scenario, clock: FakeClock) -> None:
    first = await take(desk, await alert(desk))
    clock.advance(timedelta(hours=2))
    second = await take(desk, await alert(desk))
    await done(desk, second, "assess")
    clock.advance(timedelta(minutes=5))
    # The first case's assessment is overdue (due 13:00); the second's next deadline is later.
    listed = (await case_api(desk, "GET", "")).json()
    assert [c["id"] for c in listed] == [str(first), str(second)]
    assert (listed[0]["overdue_steps"], listed[1]["overdue_steps"]) == (1, 0)
    await done(desk, first, "assess")
    clock.advance(timedelta(days=1, hours=1))
    # Now both reach steps are overdue; the first's was due earlier.
    listed = (await case_api(desk, "GET", "?municipality=3107")).json()
    assert [c["id"] for c in listed] == [str(first), str(second)]
    detail = await read_case(desk, first)
    reach = steps_of(detail)["reach"]
    assert reach["overdue"] is True and detail["overdue_steps"] >= 1
    closed = (await case_api(desk, "GET", "?state=closed")).json()
    assert closed == []


async def test_another_municipalitys_cases_are_not_found(desk: Scenario, factory: Factory) -> None:
    case_id = await take(desk, await alert(desk))
    oslo = await factory.api_client(municipalities=("0301",), scopes=(Scope.ALERTS_DETAILS,))
    for method, path, body in (
        ("GET", f"/{case_id}", None),
        ("POST", f"/{case_id}/steps/reach/records", {"action": "done"}),
        ("POST", f"/{case_id}/reassignment", {"owner_member_id": str(desk.member(BO))}),
        ("POST", f"/{case_id}/closure", {"reason": "Ikke vår"}),
        ("GET", f"/{uuid.uuid4()}", None),
    ):
        response = await desk.http.request(
            method, f"{CASES}{path}", json=body, headers=oslo.headers
        )
        assert_problem(response, 404)
    assert (await desk.http.get(CASES, headers=oslo.headers)).json() == []
    foreign = await desk.http.get(f"{CASES}?municipality=3107", headers=oslo.headers)
    assert_problem(foreign, 404)
    writer = await factory.api_client()  # alerts:write, not alerts:details
    assert_problem(await desk.http.get(CASES, headers=writer.headers), 403)


async def test_two_workers_tell_a_deadline_once(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    case_id = await take(desk, await alert(desk))
    reach = steps_of(await read_case(desk, case_id))["reach"]
    clock.set(datetime.fromisoformat(reach["remind_at"]))
    engines = [
        FollowupEngine(sessions=state.sessions, settings=state.settings, cipher=state.cipher)
        for _ in range(2)
    ]
    for _ in range(2):
        await asyncio.gather(*(engine.run_once(clock.now()) for engine in engines))
    async with state.sessions() as session:
        sent = await session.execute(
            select(col(OutboxMessage.purpose), col(OutboxMessage.member_id)).where(
                col(OutboxMessage.subject_kind) == "case"
            )
        )
        # Bo's reminder, and Ada's notice of the assessment overdue since yesterday: once each.
        assert sorted(sent.all()) == [
            ("followup_overdue", desk.member(ADA)),
            ("followup_reminder", desk.member(BO)),
        ]


async def test_a_death_on_maundy_thursday_night_reaches_the_leader_on_good_friday_morning(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    """Issue 20: the leader is told at 08:00 the next morning, a holiday, not on the Tuesday
    after Easter; the case opens then, and a step whose time had passed by then is due at
    once and says why (`due_at_once`); no deadline falls before the telling."""
    oslo = ZoneInfo("Europe/Oslo")
    clock.set(datetime(2027, 3, 25, 22, 5, tzinfo=oslo))
    good_friday_08 = datetime(2027, 3, 26, 8, tzinfo=oslo).astimezone(UTC)
    alert_id = await alert(desk, kind="fatal", clinical={"outcome": "deceased"}, naloxone=False)
    status = await desk.alert_status(alert_id)
    assert status["triage"]["action"] == "fatal"
    assert datetime.fromisoformat(status["triage"]["page_at"]) == good_friday_08
    await desk.settle()
    assert (await case_api(desk, "GET", "")).json() == []  # nothing at night
    assert await _told(state, desk.member(ADA)) == 0

    clock.set(good_friday_08)
    await desk.settle()
    assert await _told(state, desk.member(ADA)) > 0, "the leader is told in the morning"
    [listed] = (await case_api(desk, "GET", "")).json()
    case = await read_case(desk, uuid.UUID(listed["id"]))
    assert datetime.fromisoformat(case["opened_at"]) == good_friday_08
    steps = steps_of(case)
    assess = steps["assess"]  # "at once" after the death: due at once from the telling
    assert assess["due_at_once"] is True
    assert datetime.fromisoformat(assess["deadline"]) == good_friday_08 + timedelta(hours=2)
    crisis_help = steps["bereaved_crisis_help"]  # 48 h after the death: after the telling
    assert crisis_help["due_at_once"] is False
    occurred = datetime.fromisoformat(case["alert_at"])
    assert datetime.fromisoformat(crisis_help["deadline"]) == occurred + timedelta(hours=48)
    for key, step in steps.items():
        assert datetime.fromisoformat(step["deadline"]) >= good_friday_08, key


async def _told(state: AppState, member_id: uuid.UUID) -> int:
    """How many messages the member has been sent (or is to be sent)."""
    async with state.sessions() as session:
        counted = await session.execute(
            select(func.count()).where(col(OutboxMessage.member_id) == member_id)
        )
        return int(counted.scalar_one())
