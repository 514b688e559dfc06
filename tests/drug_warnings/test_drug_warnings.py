"""Warnings about dangerous drugs, end to end: signals from alerts posted through the API,
concern reports, and the leader's warnings (no personal data, nothing sent unapproved, to
the contact list and the neighbours, expiry and review)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.auth.scopes import Scope
from app.drug_warnings.signals.models import Signal
from app.drug_warnings.signals.service import check_clusters
from app.state import AppState
from tests.factories import alert_body
from tests.personal_data import NAME, NATIONAL_ID, PHONE_TYPED, PLACE, personal_body
from tests.problems import assert_problem
from tests.scenario import Scenario

FEDERAL = "3107"
NEIGHBOUR = "0301"
CONTACTS = [
    {"name": "Feltpleien vakttelefon", "mobile": "+4795000001"},
    {"name": "Sprøyterommet", "mobile": "+4795000002"},
]
BY = {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"}
CLEAN_TEXT = (
    "Flere overdoser siste døgn i sentrum. Mulig sterkt opioid solgt som heroin. Ikke bruk "
    "alene, ta en liten prøvedose og ha nalokson klar."
)


@pytest.fixture
async def world(scenario: Scenario) -> Scenario:
    """An AMK sending to Fredrikstad and Oslo (made first, as the municipalities' standby
    teams come with it); Fredrikstad's leader and admin and Oslo's case system come when
    first used."""
    scenario.municipalities = (FEDERAL, NEIGHBOUR)
    await scenario.client()
    return scenario


async def as_leader(world: Scenario) -> dict[str, str]:
    """The case system of Fredrikstad, acting for the overdose team's leader."""
    return await world.headers(Scope.ALERTS_DETAILS, municipalities=(FEDERAL,))


async def as_neighbour(world: Scenario) -> dict[str, str]:
    """Oslo's case system."""
    return await world.headers(Scope.ALERTS_DETAILS, municipalities=(NEIGHBOUR,))


async def as_admin(world: Scenario) -> dict[str, str]:
    return await world.headers(Scope.ADMIN, municipalities=(FEDERAL,))


async def post_alert(
    world: Scenario, *, hours_ago: float, body: dict[str, Any] | None = None, **overrides: Any
) -> str:
    """An overdose `hours_ago` (the example alert, or `body`, with `overrides`): its id."""
    alert_id = await world.alert(
        body=body, ago=timedelta(hours=hours_ago), naloxone=False, **overrides
    )
    return str(alert_id)


async def run_check(world: Scenario, municipality: str = FEDERAL) -> list[Signal]:
    async with world.state.sessions() as session, session.begin():
        return await check_clusters(
            session,
            municipality_code=municipality,
            now=world.clock.now(),
            cipher=world.state.cipher,
        )


async def read_signals(
    world: Scenario, municipalities: tuple[str, ...] = (FEDERAL,)
) -> list[dict[str, Any]]:
    """The signals the case system of `municipalities` lists (the leader's by default)."""
    headers = await world.headers(Scope.ALERTS_DETAILS, municipalities=municipalities)
    response = await world.http.get("/v1/cluster-signals", headers=headers)
    assert response.status_code == 200, response.text
    answer: list[dict[str, Any]] = response.json()
    return answer


async def draft_warning(world: Scenario, **fields: Any) -> httpx.Response:
    body = {"municipality": FEDERAL, "text": CLEAN_TEXT, "by": BY, **fields}
    return await world.http.post("/v1/drug-warnings", json=body, headers=await as_leader(world))


async def approve_warning(world: Scenario, warning_id: str) -> httpx.Response:
    return await world.http.post(
        f"/v1/drug-warnings/{warning_id}/approve", json={"by": BY}, headers=await as_leader(world)
    )


async def set_contacts(world: Scenario, neighbours: list[str] | None = None) -> None:
    response = await world.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/warning-contacts",
        json={"contacts": CONTACTS, "neighbours": neighbours or [NEIGHBOUR]},
        headers=await as_admin(world),
    )
    assert response.status_code == 200, response.text


async def make_cluster(world: Scenario, count: int = 3, *, body: Any = None) -> dict[str, Any]:
    """`count` alerts in the last hours, checked after each; the signal they raised."""
    for i in range(count):
        await post_alert(world, hours_ago=count - i, body=body() if body else None)
        await run_check(world)
    [signal] = await read_signals(world)
    return signal


async def sms_sent_to(world: Scenario, numbers: list[str]) -> list[str]:
    """Bodies of the SMS sent to `numbers`, after the worker has sent everything due."""
    await world.settle()
    return [body for to, body in world.sms() if to in numbers]


async def count_rows(state: AppState, table: str) -> int:
    async with state.engine.connect() as connection:
        result = await connection.execute(text(f"SELECT count(*) FROM {table}"))
        return int(result.scalar_one())


# --- Signals --------------------------------------------------------------------------------


async def test_the_third_alert_within_six_hours_raises_one_signal(world: Scenario) -> None:
    first = await post_alert(world, hours_ago=5)
    assert await run_check(world) == []
    second = await post_alert(world, hours_ago=3, consent={"state": "objected"})
    assert await run_check(world) == [], "N-1: no signal"
    third = await post_alert(world, hours_ago=0)
    [raised] = await run_check(world)
    assert sorted(raised.alert_ids) == sorted([first, second, third])

    assert await run_check(world) == [], "the same cluster raises one signal"
    [signal] = await read_signals(world)
    assert signal["status"] == "open" and signal["event_count"] == 3
    assert signal["rule"] == {
        "area": "municipality",
        "min_count": 3,
        "window_hours": 6.0,
        "radius_km": None,
    }
    assert signal["centre"] is None
    assert signal["first_at"].endswith(":00:00Z"), "times to the hour, as anonymous alerts"

    fourth = await post_alert(world, hours_ago=0.5)
    [grown] = await run_check(world)
    assert grown.id == raised.id and fourth in grown.alert_ids
    [signal] = await read_signals(world)
    assert signal["event_count"] == 4
    assert await count_rows(world.state, "cluster_signal") == 1


async def test_no_signal_outside_the_window(world: Scenario) -> None:
    await post_alert(world, hours_ago=6 + 1 / 3600)  # 6 h and a second before the third
    await post_alert(world, hours_ago=3)
    await post_alert(world, hours_ago=0)
    assert await run_check(world) == []
    assert await read_signals(world) == []


async def test_alerts_in_another_municipality_do_not_count(world: Scenario) -> None:
    await post_alert(world, hours_ago=2)
    await post_alert(world, hours_ago=1)
    await post_alert(world, hours_ago=0, municipality=NEIGHBOUR)
    assert await run_check(world, FEDERAL) == []
    assert await run_check(world, NEIGHBOUR) == []


async def test_a_dismissed_signal_opens_again_when_it_grows(world: Scenario) -> None:
    signal = await make_cluster(world)
    url = f"/v1/cluster-signals/{signal['id']}/dismiss"
    dismissed = await world.http.post(
        url, json={"by": BY, "note": "Kjent miljø, ingen ny type"}, headers=await as_leader(world)
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    again = await world.http.post(
        url, json={"by": BY, "note": "x y z"}, headers=await as_leader(world)
    )
    assert_problem(again, 409)
    await post_alert(world, hours_ago=0)
    [grown] = await run_check(world)
    assert grown.status == "open" and grown.event_count == 4


async def test_a_radius_rule_counts_alerts_near_each_other(world: Scenario) -> None:
    rules = {"rules": [{"area": "radius", "min_count": 3, "window_hours": 6, "radius_km": 1}]}
    url = f"/v1/admin/municipalities/{FEDERAL}/cluster-rules"
    assert (await world.http.get(url, headers=await as_admin(world))).json()["configured"] is False
    put = await world.http.put(url, json=rules, headers=await as_admin(world))
    assert put.status_code == 200 and put.json()["configured"] is True

    def at(latitude: float) -> dict[str, Any]:
        body = personal_body()
        body["place"] = {**body["place"], "latitude": latitude, "longitude": 10.9298}
        return body

    await post_alert(world, hours_ago=3, body=at(59.2181))
    await post_alert(world, hours_ago=2, body=at(59.2181 + 0.5 / 111.195))
    await post_alert(world, hours_ago=1, body=at(59.2181 + 3 / 111.195))  # 3 km away
    await post_alert(world, hours_ago=1, consent={"state": "objected"})  # no place
    assert await run_check(world) == [], "two near each other, one far, one with no place"
    await post_alert(world, hours_ago=0, body=at(59.2181 - 0.3 / 111.195))
    [raised] = await run_check(world)
    assert raised.event_count == 3
    [signal] = await read_signals(world)
    assert signal["rule"]["area"] == "radius" and signal["rule"]["radius_km"] == 1
    assert signal["centre"] == {"latitude": 59.22, "longitude": 10.93}


async def test_signals_of_another_municipality_are_not_listed(world: Scenario) -> None:
    await make_cluster(world)
    assert await read_signals(world, (NEIGHBOUR,)) == []
    response = await world.http.get(
        "/v1/cluster-signals", params={"municipality": FEDERAL}, headers=await as_neighbour(world)
    )
    assert_problem(response, 404)


# --- Warnings -------------------------------------------------------------------------------


async def test_a_warning_text_with_personal_data_is_refused(world: Scenario) -> None:
    signal = await make_cluster(world, body=personal_body)
    for bad in (
        f"Overdose hos {NAME} i sentrum",
        "nordkvinne har tatt noe farlig",
        f"Gjelder {NATIONAL_ID}",
        "Gjelder 24057710036",  # a mistyped national id is still one
        f"Ring {PHONE_TYPED}",
    ):
        response = await draft_warning(world, signal_id=signal["id"], text=bad)
        problem = assert_problem(response, 422)
        assert [e["field"] for e in problem["errors"]] == ["text"], problem
        for value in (NAME, NATIONAL_ID, PHONE_TYPED, "nordkvinne"):
            assert value not in response.text, "the refusal does not echo the value"
    assert await count_rows(world.state, "drug_warning") == 0


async def test_an_unapproved_warning_reaches_nobody(world: Scenario) -> None:
    await set_contacts(world)
    signal = await make_cluster(world)
    draft = await draft_warning(world, signal_id=signal["id"])
    assert draft.status_code == 201, draft.text
    assert draft.json()["state"] == "draft" and draft.json()["sms"]["pending"] == 0
    edited = await world.http.patch(
        f"/v1/drug-warnings/{draft.json()['id']}",
        json={"text": CLEAN_TEXT + " Meld fra til Feltpleien.", "by": BY},
        headers=await as_leader(world),
    )
    assert edited.status_code == 200 and edited.json()["text"].endswith("Feltpleien.")
    assert await sms_sent_to(world, [c["mobile"] for c in CONTACTS]) == []
    assert await count_rows(world.state, "incoming_drug_warning") == 0
    incoming = await world.http.get("/v1/incoming-drug-warnings", headers=await as_neighbour(world))
    assert incoming.json() == []
    [signal] = await read_signals(world)
    assert signal["status"] == "warned"


async def test_an_approved_warning_reaches_the_contacts_and_the_neighbour(world: Scenario) -> None:
    await set_contacts(world)
    signal = await make_cluster(world, body=personal_body)
    draft = await draft_warning(world, signal_id=signal["id"])
    warning_id = draft.json()["id"]
    approved = await approve_warning(world, warning_id)
    assert approved.status_code == 200, approved.text
    answer = approved.json()
    assert answer["status"] == "approved" and answer["state"] == "active"
    assert answer["approved_by"] == "Kari Solberg (leder, Ressursteam overdose)"
    assert answer["sms"]["pending"] == 2 and answer["neighbours"] == [NEIGHBOUR]
    assert answer["expires_at"] == "2026-12-07T12:00:00Z", "14 days by default"

    bodies = await sms_sent_to(world, [c["mobile"] for c in CONTACTS])
    assert len(bodies) == 2 and len(set(bodies)) == 1
    assert bodies[0] == answer["sms_text"]
    assert bodies[0].startswith("Rusvarsel fra Fredrikstad, gjelder til 7.12.: Flere overdoser")
    for value in (NAME, "Nordkvinne", NATIONAL_ID, PLACE, "Storgata", "Ola"):
        assert value not in bodies[0]
    got = await world.http.get(f"/v1/drug-warnings/{warning_id}", headers=await as_leader(world))
    assert got.json()["sms"]["delivered"] == 2

    incoming = await world.http.get("/v1/incoming-drug-warnings", headers=await as_neighbour(world))
    [arrived] = incoming.json()
    assert arrived["warning_id"] == warning_id and arrived["from_municipality"] == FEDERAL
    assert arrived["from_municipality_name"] == "Fredrikstad" and arrived["text"] == CLEAN_TEXT
    own = await world.http.get("/v1/incoming-drug-warnings", headers=await as_leader(world))
    assert own.json() == [], "a warning does not arrive in its own municipality's list"

    assert_problem(await approve_warning(world, warning_id), 409)
    edit = await world.http.patch(
        f"/v1/drug-warnings/{warning_id}",
        json={"text": "Ny tekst", "by": BY},
        headers=await as_leader(world),
    )
    assert_problem(edit, 409)
    assert len(await sms_sent_to(world, [c["mobile"] for c in CONTACTS])) == 2, "sent once"


async def test_a_nynorsk_municipality_warns_in_nynorsk(world: Scenario) -> None:
    """Issue 21: the warning's SMS is in the municipality's written standard."""
    await set_contacts(world)
    put = await world.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/written-standard",
        json={"written_standard": "nn"},
        headers=await as_admin(world),
    )
    assert put.status_code == 200, put.text
    signal = await make_cluster(world)
    draft = await draft_warning(world, signal_id=signal["id"])
    preview = "Rusvarsel frå Fredrikstad, gjeld til 7.12.: Flere overdoser"
    assert draft.json()["sms_text"].startswith(preview), "the draft shows the SMS as it goes"
    approved = await approve_warning(world, draft.json()["id"])
    assert approved.status_code == 200, approved.text
    bodies = await sms_sent_to(world, [c["mobile"] for c in CONTACTS])
    assert len(bodies) == 2 and all(b.startswith(preview) for b in bodies), bodies


async def test_a_name_that_joined_the_cluster_later_stops_the_approval(world: Scenario) -> None:
    await set_contacts(world)
    signal = await make_cluster(world)
    draft = await draft_warning(
        world, signal_id=signal["id"], text="Farlige piller kalt «Kari» i omløp"
    )
    assert draft.status_code == 201, "no alert of the cluster had that name yet"
    await post_alert(world, hours_ago=0, body=personal_body())
    [grown] = await run_check(world)
    assert grown.event_count == 4
    problem = assert_problem(await approve_warning(world, draft.json()["id"]), 422)
    assert problem["errors"][0]["field"] == "text"
    assert await sms_sent_to(world, [c["mobile"] for c in CONTACTS]) == []


async def test_warnings_expire_and_are_reviewed(world: Scenario) -> None:
    await set_contacts(world)
    signal = await make_cluster(world)
    draft = await draft_warning(world, signal_id=signal["id"], valid_days=1)
    warning_id = draft.json()["id"]
    review_url = f"/v1/drug-warnings/{warning_id}/review"
    review = {"by": BY, "note": "Ingen nye overdoser etter varselet."}
    early = await world.http.post(review_url, json=review, headers=await as_leader(world))
    assert_problem(early, 409)  # a draft is not reviewed
    assert (await approve_warning(world, warning_id)).status_code == 200

    async def listed(state: str) -> list[str]:
        response = await world.http.get(
            "/v1/drug-warnings", params={"state": state}, headers=await as_leader(world)
        )
        return [w["id"] for w in response.json()]

    assert await listed("active") == [warning_id] and await listed("expired") == []
    world.clock.advance(timedelta(days=1))
    # Access tokens do not last a day: the harness issues the leader and Oslo new ones.
    got = await world.http.get(f"/v1/drug-warnings/{warning_id}", headers=await as_leader(world))
    assert got.json()["state"] == "expired" and got.json()["review_due"] is True
    assert await listed("active") == [] and await listed("expired") == [warning_id]

    incoming = "/v1/incoming-drug-warnings"
    assert (await world.http.get(incoming, headers=await as_neighbour(world))).json() == []
    with_expired = await world.http.get(
        incoming, params={"include_expired": "true"}, headers=await as_neighbour(world)
    )
    assert [w["expired"] for w in with_expired.json()] == [True]

    reviewed = await world.http.post(review_url, json=review, headers=await as_leader(world))
    assert reviewed.status_code == 200
    assert reviewed.json()["review_due"] is False and reviewed.json()["reviewed_at"]
    again = await world.http.post(review_url, json=review, headers=await as_leader(world))
    assert_problem(again, 409)


async def test_another_municipalitys_warning_is_not_found(world: Scenario) -> None:
    signal = await make_cluster(world)
    warning_id = (await draft_warning(world, signal_id=signal["id"])).json()["id"]
    for method, path, body in (
        ("GET", "", None),
        ("PATCH", "", {"text": CLEAN_TEXT, "by": BY}),
        ("POST", "/approve", {"by": BY}),
        ("POST", "/review", {"by": BY, "note": "abc"}),
    ):
        response = await world.http.request(
            method,
            f"/v1/drug-warnings/{warning_id}{path}",
            json=body,
            headers=await as_neighbour(world),
        )
        assert_problem(response, 404)
    foreign = await world.http.post(
        "/v1/drug-warnings",
        json={"municipality": FEDERAL, "signal_id": signal["id"], "text": CLEAN_TEXT, "by": BY},
        headers=await as_neighbour(world),
    )
    assert assert_problem(foreign, 422)["errors"][0]["field"] == "municipality"
    assert (
        await world.http.get("/v1/drug-warnings", headers=await as_neighbour(world))
    ).json() == []


async def test_a_warning_needs_a_source_and_fits_two_sms(world: Scenario) -> None:
    no_source = assert_problem(await draft_warning(world), 422)
    assert no_source["errors"][0]["field"] == "body"
    unknown = assert_problem(await draft_warning(world, signal_id=str(uuid.uuid4())), 422)
    assert unknown["errors"][0]["field"] == "signal_id"
    signal = await make_cluster(world)
    too_long = assert_problem(
        await draft_warning(world, signal_id=signal["id"], text="x " * 140), 422
    )
    assert too_long["errors"][0]["field"] == "text" and "306" in too_long["errors"][0]["reason"]


# --- Concern reports ------------------------------------------------------------------------


async def test_a_partner_files_a_concern_report_and_the_leader_warns_from_it(
    world: Scenario,
) -> None:
    police = await world.factory.api_client(
        municipalities=(FEDERAL,), scopes=(Scope.CONCERNS_WRITE,)
    )
    report = {
        "municipality": FEDERAL,
        "reporter_kind": "police",
        "description": "Beslag av blå tabletter merket M30, trolig nitazen.",
        "substances": ["other_opioid", "unknown_or_new"],
        "observed_at": "2026-11-23T10:30:00+01:00",
    }
    filed = await world.http.post("/v1/concern-reports", json=report, headers=police.headers)
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["id"]

    for field, value in (("description", f"Solgt av {PHONE_TYPED}"), ("municipality", "0301")):
        refused = await world.http.post(
            "/v1/concern-reports", json={**report, field: value}, headers=police.headers
        )
        assert assert_problem(refused, 422)["errors"][0]["field"] == field
    national_id = await world.http.post(
        "/v1/concern-reports",
        json={**report, "description": f"Gjelder {NATIONAL_ID} og andre"},
        headers=police.headers,
    )
    assert assert_problem(national_id, 422)["errors"][0]["field"] == "description"
    assert NATIONAL_ID not in national_id.text

    assert_problem(await world.http.get("/v1/concern-reports", headers=police.headers), 403)
    partner_draft = await world.http.post(
        "/v1/drug-warnings",
        json={"municipality": FEDERAL, "concern_report_id": report_id, "text": CLEAN_TEXT},
        headers=police.headers,
    )
    assert_problem(partner_draft, 403)
    alerts = await world.http.post("/v1/alerts", json=alert_body(), headers=police.headers)
    assert_problem(alerts, 403)

    listed = await world.http.get("/v1/concern-reports", headers=await as_leader(world))
    assert [r["id"] for r in listed.json()] == [report_id]
    draft = await draft_warning(world, concern_report_id=report_id)
    assert draft.status_code == 201 and draft.json()["concern_report_id"] == report_id
    refused = await draft_warning(world, concern_report_id=report_id, text=f"Gjelder {NATIONAL_ID}")
    assert assert_problem(refused, 422)["errors"][0]["field"] == "text"


# --- Admin ----------------------------------------------------------------------------------


async def test_the_contact_list_and_neighbours(world: Scenario) -> None:
    url = f"/v1/admin/municipalities/{FEDERAL}/warning-contacts"
    empty = await world.http.get(url, headers=await as_admin(world))
    assert empty.json() == {"contacts": [], "neighbours": [], "external": []}
    await set_contacts(world)
    got = await world.http.get(url, headers=await as_admin(world))
    every_kind = ["cluster", "substance", "other"]
    assert got.json() == {
        "contacts": [{**c, "kinds": every_kind} for c in CONTACTS],
        "neighbours": [NEIGHBOUR],
        "external": [],
    }

    for neighbours, reason in ((["1103", "9999"], "not served"), ([FEDERAL], "itself")):
        response = await world.http.put(
            url, json={"contacts": [], "neighbours": neighbours}, headers=await as_admin(world)
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][-1]["field"] == f"neighbours.{len(neighbours) - 1}"
        assert reason in problem["errors"][-1]["reason"]
    twice = await world.http.put(
        url,
        json={"contacts": CONTACTS + CONTACTS[:1], "neighbours": []},
        headers=await as_admin(world),
    )
    assert assert_problem(twice, 422)["errors"][0]["field"] == "contacts"
