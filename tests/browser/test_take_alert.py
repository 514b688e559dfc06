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
from app.escalation.policy.rules import Step, StepTarget, TargetKind
from devtools.webhook_receiver import WebhookReceiver
from tests.browser.conftest import link_in, shoot, with_and_without_js
from tests.scenario import Scenario, page_members
from tests.webhooks.support import ClockedWebhook, create_endpoint

PERSONAL = ("Ola", "Nordmann", "01010750160", "91234567", "Fredrikstad stasjon")


@with_and_without_js
async def test_take_answer_and_see_it_at_the_dispatcher(
    scenario: Scenario, clock: FakeClock, http: httpx.AsyncClient, page: Page
) -> None:
    team = await scenario.team(leader=False)
    ada, bo, cy = team.member_ids
    # Step 1 pages the one on duty (Ada) and Bo; step 2, five minutes later, Cy.
    on_duty_and_bo = (StepTarget(TargetKind.ON_DUTY), StepTarget(TargetKind.MEMBERS, (str(bo),)))
    await scenario.policy(Step(targets=on_duty_and_bo, delay_minutes=5), page_members(cy))
    receiver = WebhookReceiver()
    async with receiver.serving() as hook_url:
        secret = await create_endpoint(http, await scenario.client(), hook_url)
        alert_id = await scenario.alert()
        await scenario.settle()
        texts_to = scenario.sms_to

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
        await expect(details).to_contain_text("22.11.2026 kl. 23.52")  # the last naloxone dose
        await expect(page.locator("#callback")).to_have_text("+4769000000")
        await expect(page.locator(".alerted")).to_contain_text("Bo Dahl")
        await shoot(page, "2-taken")
        await shoot(page, "2-taken-phone", full_page=False)  # docs/taken-page.png
        # Issue 21: the answer to the crew starts above the fold of a 390x844 phone.
        first_answer = page.get_by_role("button", name="Kommer, ca. 20 min")
        for shown in (page.locator("#answer-heading"), first_answer):
            box = await shown.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 844, box
        await expect(first_answer).to_have_attribute("aria-pressed", "false")

        # The escalation stopped: past the step delay Cy is never paged; Bo hears it is taken.
        await scenario.fast_forward(timedelta(minutes=6))
        assert texts_to(cy) == []
        assert len(texts_to(bo)) == 2 and "er tatt av Ada Lund" in texts_to(bo)[1]

        # Answer the crew.
        await page.get_by_role("button", name="Kommer, ca. 20 min").click()
        await expect(page.locator(".answered")).to_contain_text("Kommer, ca. 20 min")
        await expect(first_answer).to_have_attribute("aria-pressed", "true")  # marked
        await expect(page.locator(".choice.chosen")).to_have_count(1)
        await shoot(page, "3-answered")
        await scenario.settle()

        status = await scenario.alert_status(alert_id)
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
        to_reporter = scenario.sms_to("+4769000000")
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
