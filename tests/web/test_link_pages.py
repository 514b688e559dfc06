"""The page behind the SMS link: shows without changing anything, takes with one POST, then
shows what consent allows (logged) and answers the crew."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.alerts.schemas.examples import ALERT_EXAMPLE
from app.escalation import service as escalation_service
from app.roster.models import Member
from tests.databases import BACKEND
from tests.scenario import Scenario
from tests.web.conftest import (
    access_log,
    access_log_count,
    browser_client,
    csrf_of,
    details_of,
    headings_of,
    link_of,
    paging_team,
    supplement,
    take,
)

SECURITY_HEADERS = {
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value and not value.startswith("tel:"):
                self.urls.append(value)


def hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return parser.urls


async def scan(client: httpx.AsyncClient, start: str) -> int:
    """A link scanner: GET and HEAD on the link and everything it links to (forms' actions
    included), never a POST. The number of requests made."""
    seen: set[str] = set()
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen or not url.startswith("/"):
            continue
        seen.add(url)
        await client.head(url)
        response = await client.get(url)
        if "html" in response.headers.get("content-type", ""):
            queue += hrefs(response.text)
    return 2 * len(seen)


async def test_a_scanner_opening_every_link_changes_nothing(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)

    assert await scan(staff, link) >= 6  # the page, its stylesheet and the three form actions
    status = await desk.alert_status(alert_id)
    assert status["status"] == "notified" and status["acknowledged_by"] is None
    assert await access_log_count(desk) == 0
    await desk.fast_forward(timedelta(minutes=5))
    assert desk.sms_to(1), "not taken: the escalation goes on to the next step"


async def test_the_page_before_taking_shows_no_personal_data(
    desk: Scenario, staff: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    await desk.alert()
    await desk.settle()
    page = await staff.get(link_of(desk, 0))
    assert page.status_code == 200
    assert "Fredrikstad" in page.text and "Ta varselet" in page.text
    for personal in ("Ola", "Nordmann", "01010750160", "91234567", "69000000", "stasjon"):
        assert personal not in page.text
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    policy = page.headers["content-security-policy"]
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
    assert "default-src 'none'" in policy
    cookies = page.headers.get_list("set-cookie")
    assert cookies and all(
        "secure" in c.lower() and "httponly" in c.lower() and "samesite=strict" in c.lower()
        for c in cookies
    )


async def test_a_post_without_the_csrf_token_is_refused(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)
    await staff.get(link)  # has the cookie, not the form token
    for data in ({}, {"csrf": "0" * 64}):
        refused = await staff.post(f"{link}/take", data=data)
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    # a form token from another link does not fit this one
    await desk.fast_forward(timedelta(minutes=5))
    other = await staff.get(link_of(desk, 1))
    refused = await staff.post(f"{link}/take", data={"csrf": csrf_of(other.text)})
    assert refused.status_code == 403
    assert (await desk.alert_status(alert_id))["acknowledged_by"] is None


async def test_take_stops_the_escalation_and_shows_the_details(
    desk: Scenario, staff: httpx.AsyncClient, colleague: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    await desk.fast_forward(timedelta(minutes=5))  # both are paged now
    link = link_of(desk, 1)
    before = await colleague.get(link_of(desk, 0))  # the colleague's page, still open
    taken = await take(staff, link)
    assert taken.status_code == 303 and taken.headers["location"] == link

    shown = await staff.get(link)
    assert "Ola Nordmann" in shown.text and "01010750160" in shown.text
    assert "+4769000000" in shown.text, "the reporter's call-back number"
    facts = details_of(shown.text)
    assert facts["Rusmidler"] == "heroin, benzodiazepiner"
    assert facts["Hvor personen er nå"] == "hjemme alene"
    assert facts["Nalokson gitt av"] == "en som var til stede, ambulanse"
    assert facts["Siste dose nalokson"] == "22.11.2026 kl. 23.52", "Oslo time"
    assert facts["Pustestans"] == "ja"
    assert headings_of(shown.text) == [
        "Personen",
        "Hvor det skjedde",
        "Etter hendelsen",
        "På stedet",
        "Klinisk",
        "Nalokson",
        "Alvorlighet",
        "Varslet",
    ], "every section, in the order of details.SECTIONS"
    assert "Ada Lund" in shown.text and "Bo Dahl" in shown.text, "who else was alerted"
    assert await access_log_count(desk) == 1
    await staff.get(link)
    assert await access_log_count(desk) == 2, "each view is one access-log entry"
    async with desk.state.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT actor_kind, actor_id, legal_basis, channel FROM access_log_entry")
            )
        ).first()
    assert row is not None
    assert tuple(row) == ("staff", str(desk.member(1)), "hpl_25", "page")

    status = await desk.alert_status(alert_id)
    assert status["status"] == "acknowledged"
    assert status["acknowledged_by"] == {
        "name": "Bo Dahl",
        "role": status["acknowledged_by"]["role"],
        "team": "Ressursteam overdose",
    }
    assert status["next_step_due_at"] is None
    kinds = [entry["kind"] for entry in status["timeline"]]
    assert kinds == ["received", "triaged", "paged", "paged", "acknowledged"]

    paged_before = len(desk.fake.messages())
    await desk.fast_forward(timedelta(minutes=60))
    later = desk.fake.messages()[paged_before:]
    assert [m.to for m in later] == [desk.mobile(0)], "only the notice that it is taken"
    assert "tatt av Bo Dahl" in later[0].body and "Ola" not in later[0].body

    other = await colleague.get(link_of(desk, 0))
    assert "Tatt av Bo Dahl" in other.text and "Ta varselet" not in other.text
    assert "Ola" not in other.text
    late = await colleague.post(f"{link_of(desk, 0)}/take", data={"csrf": csrf_of(before.text)})
    assert late.status_code == 303, "a tap on the stale page changes nothing"
    assert (await desk.alert_status(alert_id))["acknowledged_by"]["name"] == "Bo Dahl"


async def test_a_link_opened_elsewhere_after_taking_shows_details_only_on_request(
    desk: Scenario, staff: httpx.AsyncClient, colleague: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)
    await take(staff, link)
    # the same member's link opened by a scanner or another phone: no data, no log entry
    elsewhere = await colleague.get(link)
    assert "Du tok varselet" in elsewhere.text and "Ola" not in elsewhere.text
    assert await access_log_count(desk) == 0
    shown = await colleague.post(f"{link}/show", data={"csrf": csrf_of(elsewhere.text)})
    assert shown.status_code == 303
    assert "Ola Nordmann" in (await colleague.get(link)).text
    assert await access_log_count(desk) == 1


async def test_an_objected_alert_pages_nobody(desk: Scenario, http: httpx.AsyncClient) -> None:
    await paging_team(desk, leader=True)
    alert_id = await desk.alert(consent={"state": "objected"})
    await desk.settle()
    await desk.fast_forward(timedelta(minutes=30))
    assert desk.fake.messages() == [], "anonymous: nobody could act on it"
    assert (await desk.alert_status(alert_id))["triage"]["action"] == "no_page"


async def test_an_alert_objected_to_before_taking_shows_its_time_to_the_hour(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)
    assert "22.11.2026 kl. 23.41" in (await staff.get(link)).text
    await supplement(desk, alert_id, consent={"state": "objected"})
    page = await staff.get(link)
    assert "22.11.2026 kl. 23.00" in page.text and "23.41" not in page.text
    await desk.fast_forward(timedelta(minutes=10))
    assert not desk.sms_to(1), "paging stopped"


async def test_an_alert_objected_to_after_taking_shows_only_the_anonymous_facts(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    """The leader took it; then the person objected: the time to the hour and nothing that
    points to the person. Alone in its municipality's year, not even the outcome or the age
    band stays (the group rule: docs/rules.md, "Objected alerts: what is kept")."""
    await paging_team(desk, leader=True)
    alert_id = await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)  # Ada: on duty and the leader
    await take(staff, link)
    assert "kl. 23.41" in (await staff.get(link)).text
    await supplement(desk, alert_id, consent={"state": "objected"})

    before = await access_log_count(desk)
    shown = await staff.get(link)
    assert "anonymt" in shown.text
    assert details_of(shown.text) == {}
    assert "heroin" not in shown.text
    assert "22.11.2026 kl. 23.00" in shown.text and "23.41" not in shown.text, "to the hour"
    for personal in ("Ola", "01010750160", "91234567", "69000000", "Ambulanse", "stasjon"):
        assert personal not in shown.text
    assert 'id="callback"' not in shown.text and "Melder" not in shown.text
    answered = await staff.post(
        f"{link}/answer", data={"csrf": csrf_of(shown.text), "choice": "coming:20"}
    )
    assert answered.status_code == 303
    assert (await desk.alert_status(alert_id))["answer"]["text"] == "Kommer, ca. 20 min"
    assert await access_log_count(desk) == before, "nothing personal was shown"


async def test_a_member_who_is_not_the_leader_sees_nothing_of_an_objected_alert(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk, leader=False)
    alert_id = await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)
    await take(staff, link)
    await supplement(desk, alert_id, consent={"state": "objected"})
    before = await access_log_count(desk)
    shown = await staff.get(link)
    assert "anonymt" in shown.text and details_of(shown.text) == {}
    assert "heroin" not in shown.text and "Ola" not in shown.text and "23.41" not in shown.text
    assert await access_log_count(desk) == before, "nothing personal was shown"


async def test_a_cooperating_member_sees_the_acute_risk_but_not_substances_or_bystanders(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    """Not health personnel (e.g. a ruskonsulent in NAV): enough to find and help the person
    safely, never what was taken or who called 113 (hpl § 25)."""
    team = await paging_team(desk)
    admin = await desk.factory.admin_client()
    changed = await http.patch(
        f"/v1/admin/teams/{team.team_id}/members/{team.member_ids[0]}",
        json={"health_personnel_basis": None},
        headers=admin.headers,
    )
    assert changed.status_code == 200 and changed.json()["is_health_personnel"] is False
    scene = {"others_present": True, "relative_present": True, "relative_called_113": True}
    await desk.alert(
        scene=scene, clinical={**ALERT_EXAMPLE["clinical"], "drug_description": "lilla piller"}
    )
    await desk.settle()
    link = link_of(desk, 0)
    await take(staff, link)
    shown = await staff.get(link)
    facts = details_of(shown.text)
    assert facts["Navn"] == "Ola Nordmann" and facts["Andre til stede"] == "ja"
    assert facts["Utfall"] == "takket nei til transport"
    assert facts["Observert minst 2 timer"] == "nei"
    assert facts["Nalokson gitt"] == "ja" and facts["Doser nalokson"] == "2"
    assert facts["Hvordan nalokson ble gitt"] == "nesespray"
    assert facts["Siste dose nalokson"] == "22.11.2026 kl. 23.52"
    assert facts["Bevisstløs"] == "ja" and facts["Pustestans"] == "ja"
    for hidden in ("Rusmidler", "Hvordan rusmidlene er kjent", "Beskrivelse av stoffet"):
        assert hidden not in facts
    for hidden in ("Pårørende til stede", "Pårørende ringte 113"):
        assert hidden not in facts
    text = re.sub(r"<[^>]*>", " ", shown.text)  # not "113" inside a random CSRF token
    for word in ("heroin", "benzodiazepin", "lilla piller", "opplyst", "113", "Pårørende"):
        assert word not in text
    [entry] = await access_log(desk)
    assert entry[1:] == (["acute_risk", "contact", "identity", "place", "situation"], "hpl_25")


async def test_answers_reach_the_dispatcher_and_the_reporter(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)
    await take(staff, link)
    shown = await staff.get(link)
    token = csrf_of(shown.text)

    refused = await staff.post(
        f"{link}/answer", data={"csrf": token, "choice": "free_text", "text": "Ola har rømt"}
    )
    assert refused.status_code == 422 and "name from the alert" in refused.text
    refused = await staff.post(
        f"{link}/answer", data={"csrf": token, "choice": "free_text", "text": "ring 98765432"}
    )
    assert refused.status_code == 422 and "phone number" in refused.text
    for minutes in ("17", "\u00b2", "\u0661\u0667"):  # not offered; ², ١٧ (isdigit, not int)
        not_offered = await staff.post(
            f"{link}/answer", data={"csrf": token, "choice": f"coming:{minutes}"}
        )
        assert not_offered.status_code == 422, minutes
    assert (await desk.alert_status(alert_id))["answer"] is None, "nothing was stored"

    await staff.post(f"{link}/answer", data={"csrf": token, "choice": "bring_to:legevakten"})
    await desk.settle()
    status = await desk.alert_status(alert_id)
    assert status["answer"] == {
        "kind": "bring_to",
        "text": "Ta vedkommende med til legevakten",
        "minutes": None,
        "place": "legevakten",
        "follow_up": None,
    }
    assert status["timeline"][-1]["kind"] == "answered"
    assert status["timeline"][-1]["by"]["name"] == "Ada Lund"
    to_reporter = [m for m in desk.fake.messages() if m.to == "+4769000000"]
    assert len(to_reporter) == 1 and to_reporter[0].num_segments == 1
    assert "Ta vedkommende med til legevakten" in to_reporter[0].body
    assert "Ola" not in to_reporter[0].body
    assert "legevakten" in (await staff.get(link)).text


async def test_dead_links_get_clear_pages(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    admin = await desk.factory.admin_client()
    await desk.alert()
    await desk.settle()
    unknown = await staff.get("/a/AAAAAAAAAAAA")
    assert unknown.status_code == 404 and "Lenken finnes ikke" in unknown.text
    assert unknown.headers["referrer-policy"] == "no-referrer"
    odd = await staff.get("/a/%00%ff<script>")
    assert odd.status_code == 404 and "text/html" in odd.headers["content-type"]

    team = desk.teams[0]
    assert team is not None
    gone = await http.post(
        f"/v1/admin/teams/{team.team_id}/members/{team.member_ids[0]}/deactivate",
        headers=admin.headers,
    )
    assert gone.status_code == 200, gone.text
    revoked = await staff.get(link_of(desk, 0))
    assert revoked.status_code == 403 and "virker ikke lenger" in revoked.text

    await desk.fast_forward(timedelta(minutes=5))
    link = link_of(desk, 1)
    desk.clock.advance(timedelta(hours=desk.state.settings.links.expiry_hours))
    expired = await staff.get(link)
    assert expired.status_code == 410 and "utløpt" in expired.text


async def test_guessing_is_limited_per_address_but_not_for_the_holder(
    desk: Scenario, staff: httpx.AsyncClient, app: FastAPI
) -> None:
    await paging_team(desk)
    await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)
    assert (await staff.get(link)).status_code == 200  # the holder's browser
    async with browser_client(app) as guesser:  # the same address
        statuses = [(await guesser.get(f"/a/{i:0>12}")).status_code for i in range(25)]
        assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}
        limited = await guesser.get(link)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert (await staff.get(link)).status_code == 200, "the holder is not locked out"


async def test_head_never_changes_anything(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    response = await staff.head(link_of(desk, 0))
    assert response.status_code == 200 and response.content == b""
    assert (await desk.alert_status(alert_id))["status"] == "notified"


async def test_a_team_can_choose_not_to_tell_the_others(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    team = await paging_team(desk)
    admin = await desk.factory.admin_client()
    changed = await http.patch(
        f"/v1/admin/teams/{team.team_id}",
        json={"tell_others_when_taken": False},
        headers=admin.headers,
    )
    assert changed.status_code == 200 and changed.json()["tell_others_when_taken"] is False
    await desk.alert()
    await desk.settle()
    await desk.fast_forward(timedelta(minutes=5))
    link = link_of(desk, 1)
    await take(staff, link)
    await desk.fast_forward(timedelta(minutes=30))
    assert len(desk.sms_to(0)) == 1, "only the page itself, no notice that it was taken"


async def test_two_taps_at_once_take_it_once(
    desk: Scenario, staff: httpx.AsyncClient, colleague: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    await desk.fast_forward(timedelta(minutes=5))
    first, second = link_of(desk, 0), link_of(desk, 1)
    pages = [await staff.get(first), await colleague.get(second)]
    taps = await asyncio.gather(
        staff.post(f"{first}/take", data={"csrf": csrf_of(pages[0].text)}),
        colleague.post(f"{second}/take", data={"csrf": csrf_of(pages[1].text)}),
    )
    assert [t.status_code for t in taps] == [303, 303]
    status = await desk.alert_status(alert_id)
    assert [e["kind"] for e in status["timeline"]].count("acknowledged") == 1
    taker = status["acknowledged_by"]["name"]
    shown = [await staff.get(first), await colleague.get(second)]
    assert sum("Du tok varselet" in page.text for page in shown) == 1
    assert sum(f"Tatt av {taker}" in page.text for page in shown) == 1


async def test_the_page_speaks_the_members_language(
    desk: Scenario, staff: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    team = await paging_team(desk)
    admin = await desk.factory.admin_client()
    changed = await http.patch(
        f"/v1/admin/teams/{team.team_id}/members/{team.member_ids[0]}",
        json={"language": "en"},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    await desk.alert()
    await desk.settle()
    assert desk.sms_to(0)[0].startswith("Overdose alert")
    page = await staff.get(link_of(desk, 0))
    assert "Take the alert" in page.text and 'lang="en"' in page.text
    await take(staff, link_of(desk, 0))
    shown = await staff.get(link_of(desk, 0))
    facts = details_of(shown.text)
    assert facts["Substances"] == "heroin, benzodiazepines"
    assert facts["Where the person is now"] == "at home alone"
    assert facts["Type of place"] == "outdoors / public place"
    assert facts["Last naloxone dose"] == "22 Nov 2026 23:52"
    assert "Health Personnel Act § 25" in shown.text


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite writers never overlap")
async def test_a_take_after_a_colleagues_commit_sees_it(desk: Scenario) -> None:
    """The escalation row read before the lock is read again under it."""
    team = await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    async with desk.state.sessions() as late, late.begin():
        held = await escalation_service.status_of(late, alert_id=alert_id)  # in its identity map
        assert held is not None and held.status == "active"
        async with desk.state.sessions() as first, first.begin():
            bo = await first.get(Member, team.member_ids[1])
            assert await alerts_service.acknowledge(
                first,
                alert_id=alert_id,
                member=bo,
                via=AckVia.LINK,
                now=desk.clock.now(),
                cipher=desk.state.cipher,
            )
        ada = await late.get(Member, team.member_ids[0])
        taken = await alerts_service.acknowledge(
            late,
            alert_id=alert_id,
            member=ada,
            via=AckVia.LINK,
            now=desk.clock.now(),
            cipher=desk.state.cipher,
        )
        assert not taken, "Bo took it first"
