"""`odvarsel sms-reply`: an SMS reply tried without Twilio, through the webhook's service."""

from __future__ import annotations

import asyncio
import re

import pytest

from app.answers import commands
from app.config import get_settings
from tests.cli import Odvarsel
from tests.cli import odvarsel as odvarsel
from tests.scenario import Scenario, page_on_duty


def code_in(body: str) -> str:
    match = re.search(r"OK (\d{4,6})", body)
    assert match, "no reply code in the SMS"
    return match.group(1)


async def test_a_reply_takes_the_alert_as_the_webhook_would(
    scenario: Scenario, odvarsel: Odvarsel
) -> None:
    await scenario.team()
    await scenario.policy(page_on_duty())
    alert_id = await scenario.alert()
    await scenario.settle()
    code = code_in(scenario.sms_to(0)[0])

    unknown = await asyncio.to_thread(odvarsel, "sms-reply", "--from", scenario.mobile(0), "OK 1")
    assert unknown.exit_code == 0, unknown.output
    assert (await scenario.alert_status(alert_id))["status"] != "acknowledged"

    taken = await asyncio.to_thread(
        odvarsel, "sms-reply", "--from", scenario.mobile(0), f"OK {code}"
    )
    assert taken.exit_code == 0, taken.output
    assert "du har tatt varselet" in taken.stdout
    assert (await scenario.alert_status(alert_id))["status"] == "acknowledged"


@pytest.mark.parametrize("where", ["twilio", "production"])
def test_only_with_the_console_backend_in_development(
    odvarsel: Odvarsel, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    settings = get_settings()
    if where == "twilio":
        changed = settings.model_copy(
            update={"sms": settings.sms.model_copy(update={"backend": "twilio"})}
        )
    else:
        changed = settings.model_copy(update={"environment": "production"})
    monkeypatch.setattr(commands, "get_settings", lambda: changed)
    refused = odvarsel("sms-reply", "--from", "+4790000001", "OK 1234")
    assert refused.exit_code == 1
    assert refused.stderr == "error: sms-reply is for development with SMS__BACKEND=console\n"


def test_a_number_that_is_not_one_is_refused(odvarsel: Odvarsel) -> None:
    refused = odvarsel("sms-reply", "--from", "abc", "OK 1234")
    assert refused.exit_code == 1
    assert refused.stderr == "error: --from: not a valid phone number\n"
