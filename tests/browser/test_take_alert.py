"""The whole loop in a real browser: alert -> SMS -> link -> take -> details -> answer ->
the dispatcher sees it (status and signed webhook) -> a colleague sees who took it.

Run with JavaScript on and off (the pages have none), on both databases.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from playwright.async_api import Page, expect

from app.clock import FakeClock
from app.escalation.policy.rules import Policy, Step, StepTarget, TargetKind
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from devtools.webhook_receiver import WebhookReceiver
from tests.browser.conftest import link_in, shoot, with_and_without_js
from tests.factories import Factory, alert_body
from tests.webhooks import ClockedWebhook, create_endpoint

PERSONAL = ("Ola", "Nordmann", "01010750160", "91234567", "Fredrikstad stasjon")


async def settle(state: AppState, fake: FakeTwilio) -> None:
    for _ in range(5):
        await state.worker.run_until_idle()
        await fake.wait_for_callbacks()


@with_and_without_js
async def test_take_answer_and_see_it_at_the_dispatcher(
    factory: Factory,
    state: AppState,
    fake_twilio: FakeTwilio,
    clock: FakeClock,
    http: httpx.AsyncClient,
    page: Page,
) -> None:
    team = await factory.team(leader=False)
    ada, bo, cy = team.member_ids
    # Step 1 pages the one on duty (Ada) and Bo; step 2, five minutes later, Cy.
    await factory.set_policy(
        team.team_id,
        Policy(
            steps=(
                Step(
                    targets=(
                        StepTarget(TargetKind.ON_DUTY),
                        StepTarget(TargetKind.MEMBERS, (str(bo),)),
                    ),
                    delay_minutes=5,
                ),
                Step(targets=(StepTarget(TargetKind.MEMBERS, (str(cy),)),), delay_minutes=5),
            ),
            repeat=0,
        ),
    )
    amk = await factory.api_client()
    receiver = WebhookReceiver()
    async with receiver.serving() as hook_url:
        secret = await create_endpoint(http, amk, hook_url)
        alert_id = await factory.post_alert(amk, alert_body())
        await settle(state, fake_twilio)

        def texts_to(member: object) -> list[str]:
            return [m.body for m in fake_twilio.messages() if m.to == team.mobiles[member]]  # type: ignore[index]

        [ada_sms] = texts_to(ada)
        [bo_sms] = texts_to(bo)

        # Open the link: nothing is taken yet, nothing personal is shown.
        await page.goto(link_in(ada_sms))
        await expect(page.get_by_text("Ingen har tatt varselet ennå.")).to_be_visible()
        body = await page.locator("body").inner_text()
        assert not any(p in body for p in PERSONAL)
        await shoot(page, "1-link-opened")

        # One tap takes it; the page shows what Ada, health personnel, may see.
        await page.get_by_role("button", name="Ta varselet").click()
        await expect(page.get_by_text("Du tok varselet")).to_be_visible()
        await expect(page.locator("#details")).to_contain_text("Ola Nordmann")
        await expect(page.locator("#details")).to_contain_text("01010750160")
        details = page.locator("#details")
        await expect(details.locator("h3.section").first).to_have_text("Personen")
        await expect(details).to_contain_text("heroin, benzodiazepiner")
        await expect(details).to_contain_text("hjemme alene")
        await expect(details).to_contain_text("22.11.2026 23:52")  # the last naloxone dose
        await expect(page.locator("#callback")).to_have_text("+4769000000")
        await expect(page.locator(".alerted")).to_contain_text("Bo Dahl")
        await shoot(page, "2-taken")
        await shoot(page, "2-taken-phone", full_page=False)  # docs/taken-page.png

        # The escalation stopped: past the step delay Cy is never paged; Bo hears it is taken.
        clock.advance(timedelta(minutes=6))
        await settle(state, fake_twilio)
        assert texts_to(cy) == []
        assert len(texts_to(bo)) == 2 and "er tatt av Ada Lund" in texts_to(bo)[1]

        # Answer the crew.
        await page.get_by_role("button", name="Kommer, ca. 20 min").click()
        await expect(page.locator(".answered")).to_contain_text("Kommer, ca. 20 min")
        await shoot(page, "3-answered")
        await settle(state, fake_twilio)

        status = (await http.get(f"/v1/alerts/{alert_id}", headers=amk.headers)).json()
        assert status["status"] == "acknowledged"
        assert status["acknowledged_by"]["name"] == "Ada Lund"
        assert status["answer"]["text"] == "Kommer, ca. 20 min"
        assert [e["kind"] for e in status["timeline"]] == [
            "received",
            "triaged",
            "paged",
            "acknowledged",
            "answered",
        ]
        verifier = ClockedWebhook(secret, clock)
        events = [verifier.verify(w.body, w.headers) for w in receiver.received]
        assert [e["type"] for e in events] == ["alert.acknowledged", "alert.answered"]
        assert events[1]["data"]["answer"]["text"] == "Kommer, ca. 20 min"
        assert not any(p in json.dumps(events) for p in PERSONAL)
        to_reporter = [m.body for m in fake_twilio.messages() if m.to == "+4769000000"]
        assert to_reporter and "Kommer, ca. 20 min" in to_reporter[0]

    # A colleague's link shows who took it, and nothing to take.
    colleague = await page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        other = await colleague.new_page()
        await other.set_viewport_size({"width": 390, "height": 844})
        await other.goto(link_in(bo_sms))
        await expect(other.locator("#taken-by")).to_contain_text("Tatt av Ada Lund")
        assert await other.get_by_role("button").count() == 0
        seen = await other.locator("body").inner_text()
        assert not any(p in seen for p in PERSONAL)
        await shoot(other, "4-colleague")
    finally:
        await colleague.close()
