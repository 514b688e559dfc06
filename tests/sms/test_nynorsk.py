"""Issue 21, nynorsk: a municipality's written standard (bokmål or nynorsk) is the language of
its SMS for every member who chose none; a member's own choice wins (app/i18n.py, `spoken`).

The team: Ada (leader, on duty), Bo and Cy, in Fredrikstad (3107), set to nynorsk through the
settings document `written-standard`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from tests.scenario import Scenario, page_members, page_on_duty

STANDARD = "/v1/admin/municipalities/3107/written-standard"


async def written_standard(scenario: Scenario, standard: str) -> None:
    admin = await scenario.factory.admin_client()
    put = await scenario.http.put(
        STANDARD, json={"written_standard": standard}, headers=admin.headers
    )
    assert put.status_code == 200, put.text
    got = await scenario.http.get(STANDARD, headers=admin.headers)
    assert got.json() == {"written_standard": standard}


async def choose(scenario: Scenario, member_id: uuid.UUID, language: str | None) -> None:
    """The member's own language (None: the municipality's), as an admin sets it."""
    admin = await scenario.factory.admin_client()
    team_id = scenario.teams[0].team_id
    patched = await scenario.http.patch(
        f"/v1/admin/teams/{team_id}/members/{member_id}",
        json={"language": language},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["language"] == language


async def test_a_member_of_a_nynorsk_municipality_is_paged_in_nynorsk(
    scenario: Scenario,
) -> None:
    team = await scenario.team()
    await scenario.policy(page_on_duty(), page_members(team.member_ids[1]))
    await written_standard(scenario, "nn")
    await choose(scenario, team.member_ids[1], "nb")  # Bo chose bokmål

    alert_id = await scenario.alert()
    await scenario.settle()
    [page] = scenario.sms_to(0)
    assert page.startswith("Overdosevarsel Fredrikstad "), page
    assert "Stadfest: " in page and "Bekreft" not in page, "Ada chose nothing: nynorsk"

    await scenario.fast_forward(timedelta(minutes=5))
    [bokmal] = scenario.sms_to(1)
    assert "Bekreft: " in bokmal and "Stadfest" not in bokmal, "Bo chose bokmål"

    assert await scenario.take(alert_id, team.member_ids[1])
    await scenario.settle()
    taken = scenario.sms_to(0)[-1]
    assert "er teke av Bo Dahl" in taken and "Du treng ikkje gjere noko." in taken, taken


async def test_a_bokmal_municipality_pages_in_bokmal_and_a_choice_of_nynorsk_wins(
    scenario: Scenario,
) -> None:
    team = await scenario.team()
    await scenario.policy(page_on_duty())
    await choose(scenario, team.member_ids[0], "nn")
    await choose(scenario, team.member_ids[0], None)  # back to the municipality's standard
    await scenario.alert()
    await scenario.settle()
    [page] = scenario.sms_to(0)
    assert "Bekreft: " in page, "bokmål is the standard of a municipality that set none"

    await choose(scenario, team.member_ids[0], "nn")
    await scenario.alert()
    await scenario.settle()
    assert "Stadfest: " in scenario.sms_to(0)[-1], "Ada chose nynorsk"
