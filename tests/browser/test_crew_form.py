"""The form for crews in a real browser: a signed-in reporter sends an alert that pages the
on-duty member at the fake Twilio; the connection drops after the server stored it and the
crew taps "send" again: the same alert, not a second; the member takes it by link and
answers; the reporter's page shows who took it and the answer. And the field errors.

Run with JavaScript on and off (the form has none), on both databases.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, Route, expect

from app.state import AppState
from tests.browser.conftest import link_in, shoot, with_and_without_js
from tests.factories import count_alerts
from tests.reporters.support import REPORTER_LINK, add_reporter
from tests.scenario import Scenario
from tests.waiting import wait_for, wait_until

MOBILE = "+4799000001"
DRAFT_KEY = "odvarsel-skjema-draft"  # the form script's localStorage key


async def sign_in(page: Page, scenario: Scenario) -> None:
    """Open the form, be sent to sign in, ask for the link, open it from the SMS, tap."""
    await page.goto("/skjema")
    await expect(page.get_by_role("heading", name="Logg inn for å melde")).to_be_visible()
    await page.get_by_label("Mobilnummer").fill("990 00 001")
    await page.get_by_role("button", name="Send meg en lenke").click()
    await expect(page.locator("#sent")).to_be_visible()
    await scenario.settle()
    [sms] = scenario.sms_to(MOBILE)
    link = REPORTER_LINK.search(sms)
    assert link, sms
    await page.goto(link.group(0))
    await page.get_by_role("button", name="Logg inn").click()
    await expect(page.get_by_role("heading", name="Melde overdose")).to_be_visible()


async def fill_in(page: Page) -> None:
    await page.get_by_label("Ja, overlevde").check()
    await page.get_by_label("Takket nei til transport").check()
    await page.get_by_label("Hjemme alene").check()
    await page.get_by_label("Kunne ikke spørres (bevisstløs, ruset)").check()


@with_and_without_js
async def test_a_crew_reports_and_sees_the_answer(
    scenario: Scenario, state: AppState, page: Page
) -> None:
    team = await scenario.team()
    await add_reporter(state, mobile=MOBILE)
    await sign_in(page, scenario)
    await fill_in(page)
    await shoot(page, "1-form")

    # The first post reaches the service, but its answer never reaches the tablet.
    posts: list[str] = []
    dropped: list[int] = []

    async def drop_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        posts.append(route.request.url)
        if len(posts) == 1:
            await route.fetch(max_redirects=0)  # stored by the service ...
            await route.fulfill(status=204)  # ... the tablet stays on the form, as offline
            dropped.append(1)
            return
        await route.continue_()

    await page.route(re.compile(r".*/skjema/$"), drop_first_answer)
    await page.get_by_role("button", name="Send melding").click()
    await wait_for(lambda: bool(dropped), within=10)
    assert await count_alerts(state) == 1
    await expect(page.get_by_role("button", name="Send melding")).to_be_visible()
    await page.get_by_role("button", name="Send melding").click()  # sent again
    await expect(page.locator("#again")).to_contain_text("allerede sendt")
    assert len(posts) == 2 and await count_alerts(state) == 1
    await expect(page.locator("#taken")).to_contain_text("Ingen har tatt meldingen ennå")
    await shoot(page, "2-sent")

    # The on-duty member is paged by SMS and takes the alert by the link.
    await scenario.settle()
    [paged] = scenario.sms_to(team.member_ids[0])
    member = await page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        staff = await member.new_page()
        await staff.goto(link_in(paged))
        await staff.get_by_role("button", name="Ta varselet").click()
        await expect(staff.get_by_text("Du tok varselet")).to_be_visible()
        await staff.get_by_role("button", name="Kommer, ca. 20 min").click()
        await expect(staff.locator(".answered")).to_contain_text("Kommer, ca. 20 min")
    finally:
        await member.close()
    await scenario.settle()

    # The crew reloads its page: who took it, and the answer.
    await page.reload()
    await expect(page.locator("#taken")).to_contain_text("Tatt av Ada Lund")
    await expect(page.locator("#answer")).to_contain_text("Kommer, ca. 20 min")
    await expect(page.locator("#timeline")).to_contain_text("Svar: Kommer, ca. 20 min")
    await shoot(page, "3-answered")
    assert any("Kommer, ca. 20 min" in body for body in scenario.sms_to(MOBILE)[1:])


@with_and_without_js
async def test_the_form_shows_each_error_beside_its_field(
    scenario: Scenario, state: AppState, page: Page
) -> None:
    await scenario.team()
    await add_reporter(state, mobile=MOBILE)
    await sign_in(page, scenario)
    await page.get_by_label("Personen motsetter seg").check()
    await page.get_by_label("Fødselsnummer (11 siffer)").fill("01010750161")
    await page.get_by_label("Klokkeslett").fill("25.99")
    await page.get_by_role("button", name="Send melding").click()

    await expect(page.locator("#form-error")).to_contain_text("Noe må rettes")
    await expect(page.locator("#kind-error")).to_have_text("Velg ett svar.")
    await expect(page.locator("#outcome-error")).to_have_text("Velg ett svar.")
    await expect(page.locator("#national_id-error")).to_contain_text("ikke gyldig")
    await expect(page.locator("#time-error")).to_contain_text("TT:MM")
    await expect(page.get_by_label("Fødselsnummer (11 siffer)")).to_have_value("01010750161")
    await expect(page.get_by_label("Personen motsetter seg")).to_be_checked()
    await shoot(page, "errors")
    assert await count_alerts(state) == 0

    # Corrected, it goes.
    await fill_in(page)
    await page.get_by_label("Fødselsnummer (11 siffer)").fill("")
    await page.get_by_label("Klokkeslett").fill("")
    await page.get_by_role("button", name="Send melding").click()
    await expect(page.get_by_role("heading", name="Meldingen er sendt")).to_be_visible()
    assert await count_alerts(state) == 1


async def test_a_draft_survives_a_reload_and_is_still_one_alert(
    scenario: Scenario, state: AppState, page: Page
) -> None:
    """With JavaScript: the choices and the incident id outlive a reload; the person's data
    is never kept in the browser; the alert's page drops the draft."""
    await scenario.team()
    await add_reporter(state, mobile=MOBILE)
    await sign_in(page, scenario)
    await fill_in(page)
    await page.get_by_label("Personens navn").fill("Ola Nordmann")
    incident = await page.locator("input[name=incident]").input_value()

    aborted: list[int] = []

    async def lost(route: Route) -> None:
        await route.fetch(max_redirects=0)  # stored; the answer is lost
        await route.abort("connectionreset")
        aborted.append(1)

    await page.route(re.compile(r".*/skjema/$"), lost, times=1)
    await page.get_by_role("button", name="Send melding").click()
    await wait_for(lambda: bool(aborted), within=10)
    await wait_for(lambda: page.url.startswith("chrome-error:"), within=10)  # "no connection"
    await page.goto("/skjema/")  # the crew opens the form again
    await expect(page.locator("#draft-restored")).to_be_visible()
    assert await page.locator("input[name=incident]").input_value() == incident
    await expect(page.get_by_label("Takket nei til transport")).to_be_checked()
    await expect(page.get_by_label("Personens navn")).to_have_value("")
    stored = await page.evaluate(f"window.localStorage.getItem('{DRAFT_KEY}')")
    assert "Ola" not in stored and incident in stored
    await shoot(page, "restored")
    await page.get_by_role("button", name="Send melding").click()
    # Without the name it is not quite what was sent: the alert stands as first sent.
    await expect(page.locator("#changed")).to_contain_text("allerede sendt")
    assert await count_alerts(state) == 1

    # The alert's page drops the draft once its script has run (deferred: after the DOM).
    # Asked through page.evaluate: wait_for_function's string predicate is an eval, which
    # the page's CSP refuses whenever it has to poll.
    async def draft_dropped() -> bool:
        return bool(await page.evaluate(f"window.localStorage.getItem('{DRAFT_KEY}') === null"))

    await wait_until(draft_dropped, within=10)
    await page.get_by_role("link", name="Ny melding").click()
    await expect(page.locator("#draft-restored")).to_be_hidden()
    assert await page.locator("input[name=incident]").input_value() != incident
