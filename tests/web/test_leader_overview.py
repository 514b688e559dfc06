"""The leader's overview below "Mine saker" (`/a/cases`): the municipality's open cluster
signals, its warnings (drafts, in force, expired with the review due) and the warnings from
neighbouring municipalities; a member sees none of it. Signals and warnings are made through
the API as the case system makes them (tests/drug_warnings/test_drug_warnings.py).

Fredrikstad (3107) is the team's; Oslo (0301) lists Fredrikstad as its neighbour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.drug_warnings.signals.service import check_clusters
from app.i18n import decimal
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.personal_data import NAME, NATIONAL_ID, PLACE, personal_body
from tests.scenario import Scenario
from tests.staff_auth import browser_client
from tests.web.test_case_pages import signed_in

FEDERAL = "3107"
NEIGHBOUR = "0301"
BY = {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"}
DRAFT_TEXT = "Utkast: blå tabletter merket M30 i omløp, trolig nitazen."
IN_FORCE_TEXT = "Flere overdoser siste døgn i sentrum. Ikke bruk alene, ha nalokson klar."
EXPIRED_TEXT = "Farlig heroin i omløp forrige uke. Ta en liten prøvedose."
INCOMING_TEXT = "Rusvarsel fra Oslo: sterkt opioid solgt som heroin ved Vaterland."


BOTH = (FEDERAL, NEIGHBOUR)


async def start_warnings(scenario: Scenario) -> Scenario:
    """Warnings through the API, as the case systems (`alerts:details`, acting for each
    municipality's leader) and partners (`concerns:write`) of both municipalities make them;
    Oslo lists Fredrikstad as its neighbour. Call after the test's own team exists (it
    receives the alerts): the AMK, for both municipalities, is made here."""
    scenario.municipalities = BOTH
    await scenario.client()
    contacts = await scenario.request(
        "PUT",
        f"/v1/admin/municipalities/{NEIGHBOUR}/warning-contacts",
        Scope.ADMIN,
        municipalities=(NEIGHBOUR,),
        json={"contacts": [], "neighbours": [FEDERAL]},
    )
    assert contacts.status_code == 200, contacts.text
    return scenario


async def post_as(
    warner: Scenario, scope: str, code: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """`body` posted to `path` by the client with `scope` in municipality `code`."""
    response = await warner.request("POST", path, scope, municipalities=(code,), json=body)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


async def raise_cluster(
    warner: Scenario, count: int = 3, *, body: Callable[[], dict[str, Any]] = alert_body
) -> list[str]:
    """`count` overdoses in Fredrikstad in the last hours (each `body()`), then the cluster
    check: the alerts' ids (an open signal is raised)."""
    ids = []
    for i in range(count):
        alert_id = await warner.alert(body=body(), ago=timedelta(hours=count - i), naloxone=False)
        ids.append(str(alert_id))
    async with warner.state.sessions() as session, session.begin():
        raised = await check_clusters(
            session, municipality_code=FEDERAL, now=warner.clock.now(), cipher=warner.state.cipher
        )
    assert raised, "no signal raised"
    return ids


async def draft_warning(
    warner: Scenario, text: str, *, code: str = FEDERAL, valid_days: int = 14
) -> str:
    """A draft warning from a concern report (the signals stay open): its id."""
    report = await post_as(
        warner,
        Scope.CONCERNS_WRITE,
        code,
        "/v1/concern-reports",
        {
            "municipality": code,
            "reporter_kind": "injection_room",
            "description": "Brukere melder om et sterkt stoff solgt som heroin.",
        },
    )
    draft = await post_as(
        warner,
        Scope.ALERTS_DETAILS,
        code,
        "/v1/drug-warnings",
        {
            "municipality": code,
            "concern_report_id": report["id"],
            "text": text,
            "valid_days": valid_days,
            "by": BY,
        },
    )
    warning_id: str = draft["id"]
    return warning_id


async def approve_warning(
    warner: Scenario, warning_id: str, *, code: str = FEDERAL
) -> dict[str, Any]:
    return await post_as(
        warner, Scope.ALERTS_DETAILS, code, f"/v1/drug-warnings/{warning_id}/approve", {"by": BY}
    )


def section(html: str, element: str, element_id: str) -> str:
    match = re.search(rf'<{element} [^>]*id="{element_id}".*?</{element}>', html, re.S)
    assert match, f"no {element}#{element_id} on the page"
    return match.group(0)


OVERVIEW_IDS = ("overview-signals", "overview-warnings", "overview-incoming")


async def test_the_leader_sees_signals_and_warnings_and_a_member_does_not(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()  # Ada leads Fredrikstad's team; Bo is a member
    warner = await start_warnings(scenario)
    expired = await draft_warning(warner, EXPIRED_TEXT, valid_days=1)
    await approve_warning(warner, expired)
    clock.advance(timedelta(days=2))  # it has expired, and nobody reviewed it
    # The clock moved: the harness gives the clients new tokens.

    alert_ids = await raise_cluster(warner)
    await draft_warning(warner, DRAFT_TEXT)
    in_force = await approve_warning(warner, await draft_warning(warner, IN_FORCE_TEXT))
    assert in_force["state"] == "active"
    await approve_warning(
        warner, await draft_warning(warner, INCOMING_TEXT, code=NEIGHBOUR), code=NEIGHBOUR
    )

    async with browser_client(app) as ada, browser_client(app) as bo:
        await signed_in(ada, state, clock, team, 0)
        page = await ada.get("/a/cases")
        assert page.status_code == 200, page.text
        html = page.text
        assert html.index('id="no-cases"') < html.index('id="overview-signals"'), "below the cases"

        signals = section(html, "section", "overview-signals")
        assert "3 overdoser innen 6 timer" in signals and "hele kommunen" in signals
        assert "Sist økt" in signals and "25.11.2026 kl. 13.00" in signals  # grew now, Oslo time
        assert (
            "25.11.2026 kl. 10.00" in signals and "25.11.2026 kl. 12.00" in signals
        )  # first, last
        for alert_id in alert_ids:  # a signal names alerts by id only, and the page not at all
            assert alert_id not in html

        warnings = section(html, "section", "overview-warnings")
        assert DRAFT_TEXT in section(warnings, "ul", "drafts")
        assert "14 dager etter godkjenning" in section(warnings, "ul", "drafts")
        current = section(warnings, "ul", "in-force")
        assert IN_FORCE_TEXT in current and DRAFT_TEXT not in current
        assert "Gjelder til" in current and "09.12.2026 kl. 13.00" in current
        due = section(warnings, "ul", "review-due")
        assert EXPIRED_TEXT in due and "24.11.2026 kl. 13.00" in due
        assert INCOMING_TEXT not in warnings, "Oslo's warning is not Fredrikstad's own"

        incoming = section(html, "section", "overview-incoming")
        assert "Fra Oslo" in incoming and INCOMING_TEXT in incoming
        assert "09.12.2026 kl. 13.00" in incoming

        await signed_in(bo, state, clock, team, 1)
        mine = await bo.get("/a/cases")
        assert mine.status_code == 200
        for element_id in OVERVIEW_IDS:
            assert f'id="{element_id}"' not in mine.text
        for text in (DRAFT_TEXT, IN_FORCE_TEXT, EXPIRED_TEXT, INCOMING_TEXT, "Klyngesignal"):
            assert text not in mine.text


async def test_empty_sections_say_so_and_another_municipality_sees_nothing_of_it(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    await factory.team()
    warner = await start_warnings(scenario)
    await raise_cluster(warner)
    await draft_warning(warner, DRAFT_TEXT)
    stavanger = await factory.team(municipality="1103", name="Stavanger", member_names=("Di",))
    async with browser_client(app) as di:
        await signed_in(di, state, clock, stavanger, 0)  # Stavanger's leader
        html = (await di.get("/a/cases")).text
    for element_id in OVERVIEW_IDS:
        assert f'id="{element_id}"' in html
    assert "Ingen åpne klyngesignaler." in section(html, "section", "overview-signals")
    for empty in ("no-drafts", "no-in-force", "no-review-due", "no-incoming"):
        assert f'id="{empty}"' in html
    assert DRAFT_TEXT not in html


async def test_the_overview_in_english_with_a_radius_rule(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    admin = await factory.admin_client((FEDERAL,))
    rules = {"rules": [{"area": "radius", "min_count": 3, "window_hours": 4.5, "radius_km": 1.5}]}
    put = await factory.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/cluster-rules", json=rules, headers=admin.headers
    )
    assert put.status_code == 200, put.text
    changed = await factory.http.patch(
        f"/v1/admin/teams/{team.team_id}/members/{team.member_ids[0]}",
        json={"language": "en"},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    await raise_cluster(warner, body=personal_body)  # at the same place, with a name and a phone
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        html = (await ada.get("/a/cases")).text
    signals = section(html, "section", "overview-signals")
    assert "3 overdoses within 4.5 hours" in signals and "within 1.5 km" in signals
    assert "No drafts." in html and "No warnings from neighbouring municipalities." in html
    for value in (NAME, NATIONAL_ID, PLACE, "59.2", "59,2"):
        assert value not in html


def test_numbers_are_written_for_the_language() -> None:
    assert decimal(0.5, "nb") == "0,5" and decimal(6.0, "nb") == "6"
    assert decimal(0.5, "en") == "0.5" and decimal(1.25, "en") == "1.25"
