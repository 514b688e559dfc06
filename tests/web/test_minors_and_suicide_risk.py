"""Issue 20 items 12 and 13, end to end over HTTP (docs/rules.md, "Minors", "Suicide risk"):
the AMK posts, the worker pages through the fake Twilio by the fake clock, staff open the
link, the case system reads the case.

The team: Ada (leader), Bo (paged by the policy). It is 02:00 on a Saturday night in Oslo.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from app.consent.minors import UNDER_16
from tests.factories import alert_body
from tests.scenario import Scenario, page_members
from tests.web.conftest import details_of, link_of, take

SATURDAY_0200_OSLO = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
LEADER, ON_DUTY = 0, 1
PERSONAL = ("Ola", "Nordmann", "01010750160", "91234567", "stasjon", "Akuttposten")
"""What the example alert (with a ward) holds about the person: never in an SMS."""
SUICIDE_WORDS = ("selvmord", "Selvmord", "SELVMORD", "suicid", "tilsiktet", "Tilsiktet")


@pytest.fixture
async def night(scenario: Scenario) -> Scenario:
    scenario.clock.set(SATURDAY_0200_OSLO)
    team = await scenario.team(around_the_clock=False)
    await scenario.policy(page_members(team.member_ids[ON_DUTY]), repeat=3)
    return scenario


async def post(night: Scenario, **sections: Any) -> dict[str, Any]:
    """An overdose 20 minutes ago, the example alert with `sections` replaced: the answer."""
    body = alert_body(**sections)
    body["occurred_at"] = (night.clock.now() - timedelta(minutes=20)).isoformat()
    body.pop("naloxone")
    response = await night.request("POST", "/v1/alerts", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def details(night: Scenario, alert_id: str) -> dict[str, Any]:
    response = await night.request(
        "GET",
        f"/v1/alerts/{alert_id}/details",
        Scope.ALERTS_DETAILS,
        params={"reason": "oppfølging etter overdose"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def case_steps(night: Scenario, alert_id: str) -> dict[str, dict[str, Any]]:
    """The steps of the alert's case, as the case system reads them: key -> step."""
    cases = await night.request("GET", "/v1/cases", Scope.ALERTS_DETAILS)
    assert cases.status_code == 200, cases.text
    [case_id] = [c["id"] for c in cases.json() if c["alert_id"] == alert_id]
    case = await night.request("GET", f"/v1/cases/{case_id}", Scope.ALERTS_DETAILS)
    assert case.status_code == 200, case.text
    return {s["key"]: s for s in case.json()["steps"]}


# --- suicide risk -------------------------------------------------------------------------------


async def test_a_suicidal_alert_to_hospital_pages_at_once_at_night(
    night: Scenario, staff: httpx.AsyncClient
) -> None:
    answer = await post(
        night,
        clinical={"outcome": "transported", "intent": "suicidal", "suicidal_thoughts": "yes"},
        destination={"type": "hospital", "name": "Akuttposten"},
    )
    assert answer["dropped_fields"] == []
    # Admitted at night would wait for Monday (rule 1); suicide risk pages now, ward first.
    assert answer["triage"] == {
        "action": "page_now",
        "page_at": "2026-11-28T01:00:00Z",
        "first_contact_ward": True,
        "reason": "suicide_risk",
    }
    await night.settle()
    [(to, body)] = night.sms()
    assert to == night.mobile(ON_DUTY)
    for word in (*PERSONAL, *SUICIDE_WORDS):
        assert word not in body, word

    link = link_of(night, ON_DUTY)
    page = await staff.get(link)
    assert page.status_code == 200
    assert 'id="suicide-risk"' in page.text and "SELVMORDSFARE" in page.text
    assert 'role="alert"' in page.text
    for word in PERSONAL:  # the banner comes before anyone took it, the person's data after
        assert word not in page.text, word

    taken = await take(staff, link)
    assert taken.status_code in (200, 303), taken.text
    shown = await staff.get(link)
    assert "SELVMORDSFARE" in shown.text
    facts = details_of(shown.text)
    assert facts["Tilsiktet?"] == "Tilsiktet (selvmordsforsøk)"
    assert facts["Selvmordstanker"] == "Ja, uttrykte selvmordstanker"
    steps = await case_steps(night, answer["id"])
    assert steps["suicide_risk"]["state"] == "open"
    assert steps["suicide_risk"]["title"] == "Vurder selvmordsrisiko ved første kontakt"


async def test_without_suicide_risk_the_same_alert_waits_and_shows_no_banner(
    night: Scenario,
) -> None:
    answer = await post(
        night,
        clinical={"outcome": "transported", "intent": "accidental", "suicidal_thoughts": "no"},
        destination={"type": "hospital"},
    )
    assert (answer["triage"]["action"], answer["triage"]["reason"]) == ("working_hours", "rule 1")
    await night.settle()
    assert night.sms() == []


async def test_an_objected_suicidal_alert_tells_the_leader_at_once_without_identity(
    night: Scenario, staff: httpx.AsyncClient
) -> None:
    answer = await post(
        night,
        clinical={"outcome": "declined_transport", "suicidal_thoughts": "yes"},
        consent={"state": "objected"},
    )
    assert (answer["triage"]["action"], answer["triage"]["reason"]) == (
        "leader_now",
        "objected_suicide_risk",
    )
    await night.settle()
    [(to, body)] = night.sms()
    assert to == night.mobile(LEADER), "the leader, not the on-duty person"
    assert "haster" in body
    for word in (*PERSONAL, *SUICIDE_WORDS):
        assert word not in body, word
    page = await staff.get(link_of(night, LEADER))
    assert 'id="suicide-risk"' in page.text and "uten identitet" in page.text
    for word in PERSONAL:
        assert word not in page.text, word
    # What the person objected to is not kept: the crew's answers are not stored.
    clinical = (await details(night, answer["id"])).get("clinical") or {}
    assert (clinical.get("intent"), clinical.get("suicidal_thoughts")) == (None, None)
    await night.fast_forward(timedelta(hours=1))
    assert [t for t in night.sms() if t[0] == night.mobile(ON_DUTY)] == [], "never paged"


async def test_an_odd_intent_is_dropped_and_listed(night: Scenario) -> None:
    answer = await post(night, clinical={"outcome": "declined_transport", "intent": "maybe"})
    assert [d["field"] for d in answer["dropped_fields"]] == ["clinical.intent"]
    assert answer["triage"]["reason"] == "default"


# --- minors -------------------------------------------------------------------------------------


CHILD_CONSENT = {"state": "consented", "recipients": ["relatives"], "given_by": "person"}


@pytest.mark.parametrize("band", sorted(UNDER_16))
async def test_a_childs_own_consent_counts_as_not_asked_and_opens_the_parents_step(
    night: Scenario, staff: httpx.AsyncClient, band: str
) -> None:
    person = {"name": "Ola Nordmann", "age_band": band, "phone": "+4791234567"}
    answer = await post(night, person=person, consent=CHILD_CONSENT)
    assert answer["consent_state"] == "not_asked"
    assert answer["dropped_fields"] == []
    await night.settle()
    link = link_of(night, ON_DUTY)
    await take(staff, link)
    page = await staff.get(link)
    assert "Under 16 år: foreldrene samtykker og skal informeres" in page.text
    assert "Samtykket kom fra barnet alene og gjelder ikke" in page.text

    # Beyond hpl § 25 nothing is shared on it: shown under § 25, the person to be told.
    shown = await details(night, answer["id"])
    assert shown["consent_state"] == "not_asked"
    assert shown["consent_recorded_state"] == "consented"
    assert shown["consent_given_by"] == "person"
    assert shown["legal_basis"] == "hpl_25" and shown["inform_person_required"] is True

    steps = await case_steps(night, answer["id"])
    assert steps["parents"]["state"] == "open"
    assert steps["parents"]["title"] == "Under 16 år: informer og involver foreldrene"
    assert steps["parents_16_17"]["state"] == "not_applicable"
    assert steps["tell_what_was_shared"]["state"] == "open"


async def test_the_parents_consent_counts_under_16(
    night: Scenario, staff: httpx.AsyncClient
) -> None:
    consent = {**CHILD_CONSENT, "given_by": "parent_or_guardian"}
    answer = await post(night, person={"age_band": "12_15"}, consent=consent)
    assert answer["consent_state"] == "consented"
    shown = await details(night, answer["id"])
    assert (shown["consent_recorded_state"], shown["legal_basis"]) == (None, "consent")
    await night.settle()
    link = link_of(night, ON_DUTY)
    await take(staff, link)
    page = await staff.get(link)
    assert "Under 16 år: foreldrene samtykker" in page.text
    assert "Samtykket er gitt av en forelder" in page.text
    assert (await case_steps(night, answer["id"]))["parents"]["state"] == "open"


async def test_sixteen_and_seventeen_consent_themselves(night: Scenario) -> None:
    answer = await post(night, person={"age_band": "16_17"}, consent=CHILD_CONSENT)
    assert answer["consent_state"] == "consented"
    parent = {**CHILD_CONSENT, "given_by": "parent_or_guardian"}
    answer = await post(night, person={"age_band": "16_17"}, consent=parent)
    assert answer["consent_state"] == "not_asked"


async def test_an_odd_giver_is_dropped_and_the_consent_stands(night: Scenario) -> None:
    consent = {"state": "consented", "given_by": "grandmother"}
    answer = await post(night, person={"age_band": "adult"}, consent=consent)
    assert answer["consent_state"] == "consented", "not read as objected"
    [dropped] = answer["dropped_fields"]
    assert dropped["field"] == "consent.given_by"
    assert "objected" not in dropped["reason"]


async def test_a_supplement_with_the_parents_consent_makes_it_count(night: Scenario) -> None:
    answer = await post(night, person={"age_band": "12_15"}, consent=CHILD_CONSENT)
    assert answer["consent_state"] == "not_asked"
    parents = {"state": "consented", "given_by": "parent_or_guardian"}
    response = await night.request(
        "POST", f"/v1/alerts/{answer['id']}/supplements", json={"consent": parents}
    )
    assert response.status_code == 201, response.text
    assert response.json()["alert"]["consent_state"] == "consented"
    shown = await details(night, answer["id"])
    assert (shown["consent_given_by"], shown["consent_recorded_state"]) == (
        "parent_or_guardian",
        None,
    )


async def test_a_supplement_that_gives_the_age_band_counts_the_consent_again(
    night: Scenario,
) -> None:
    answer = await post(night, person={"name": "Ola Nordmann"}, consent=CHILD_CONSENT)
    assert answer["consent_state"] == "consented", "no age band: as the crew recorded it"
    response = await night.request(
        "POST", f"/v1/alerts/{answer['id']}/supplements", json={"person": {"age_band": "12_15"}}
    )
    assert response.status_code == 201, response.text
    assert response.json()["alert"]["consent_state"] == "not_asked"
    shown = await details(night, answer["id"])
    assert (shown["consent_given_by"], shown["consent_recorded_state"]) == ("person", "consented")
    assert shown["legal_basis"] == "hpl_25"


async def test_a_supplement_with_suicidal_thoughts_pages_an_admitted_alert_at_once(
    night: Scenario,
) -> None:
    answer = await post(
        night, clinical={"outcome": "transported"}, destination={"type": "hospital"}
    )
    assert answer["triage"]["action"] == "working_hours"
    await night.settle()
    assert night.sms() == []
    response = await night.request(
        "POST",
        f"/v1/alerts/{answer['id']}/supplements",
        json={"clinical": {"suicidal_thoughts": "yes"}},
    )
    assert response.status_code == 201, response.text
    assert response.json()["alert"]["triage"]["reason"] == "suicide_risk"
    await night.settle()
    [(to, body)] = night.sms()
    assert to == night.mobile(ON_DUTY)
    for word in SUICIDE_WORDS:
        assert word not in body
