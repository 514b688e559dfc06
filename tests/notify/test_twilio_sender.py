"""The real TwilioSender (the twilio library over httpx) against the fake Twilio on loopback."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from app.clock import FakeClock
from app.config.sections import SmsSettings
from app.notify.sms import (
    DeliveryState,
    SmsMessage,
    SmsPermanentError,
    SmsSender,
    SmsTemporaryError,
)
from app.notify.twilio_sender import TwilioSender
from devtools.fake_twilio import FakeTwilio
from devtools.loopback import serve_loopback
from tests.callbacks import CallbackRecorder

TOKEN = "fake-auth-token-0123456789abcdef"
ACCOUNT = "AC0123456789abcdef0123456789abcdef"
FROM = "+4759440000"
TO = "+4791234567"


def sms_settings(base_url: str, *, token: str = TOKEN, timeout: float = 5.0) -> SmsSettings:
    return SmsSettings(
        backend="twilio",
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=SecretStr(token),
        twilio_from_number=FROM,
        twilio_base_url=base_url,
        send_timeout_seconds=timeout,
    )


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio.running(auth_token=TOKEN, account_sid=ACCOUNT, clock=clock) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


@pytest.fixture
def sender(fake: FakeTwilio, http: httpx.AsyncClient) -> SmsSender:
    return TwilioSender(sms_settings(fake.base_url), http)


async def test_message_arrives_with_to_from_and_body(fake: FakeTwilio, sender: SmsSender) -> None:
    result = await sender.send(SmsMessage(to=TO, body="Overdose: Storgata 1. Svar på lenken."))

    [message] = fake.messages()
    assert (message.to, message.from_, message.body) == (
        TO,
        FROM,
        "Overdose: Storgata 1. Svar på lenken.",
    )
    assert message.account_sid == ACCOUNT
    assert result.provider_id == message.sid
    assert result.provider_id.startswith("SM") and len(result.provider_id) == 34
    assert result.state is DeliveryState.ACCEPTED, "Twilio's 'queued' in our words"


@pytest.mark.parametrize("suffix", ["", "/"])
async def test_base_url_is_honoured(http: httpx.AsyncClient, suffix: str, clock: FakeClock) -> None:
    async with (
        FakeTwilio.running(auth_token=TOKEN, clock=clock) as unused,
        FakeTwilio.running(auth_token=TOKEN, clock=clock) as configured,
    ):
        sender = TwilioSender(sms_settings(configured.base_url + suffix), http)
        await sender.send(SmsMessage(to=TO, body="hei"))

        assert [m.body for m in configured.messages()] == ["hei"]
        assert unused.messages() == []


async def test_status_callbacks_arrive_signed_as_twilio_signs_them(
    fake: FakeTwilio, sender: SmsSender
) -> None:
    recorder = CallbackRecorder()
    async with serve_loopback(recorder.app) as receiver:
        callback_url = f"{receiver.base_url}/twilio/status?outbox=42"
        result = await sender.send(SmsMessage(to=TO, body="hei", status_callback=callback_url))
        await fake.wait_for_callbacks()

    assert [c.form["MessageStatus"] for c in recorder.received] == ["queued", "sent", "delivered"]
    genuine, other_key = RequestValidator(TOKEN), RequestValidator("some-other-token")
    for callback in recorder.received:
        assert callback.url == callback_url
        assert callback.form["MessageSid"] == result.provider_id
        assert (callback.form["To"], callback.form["From"]) == (TO, FROM)
        assert callback.form["AccountSid"] == ACCOUNT
        assert "ErrorCode" not in callback.form
        assert genuine.validate(callback.url, callback.form, callback.signature)
        assert not other_key.validate(callback.url, callback.form, callback.signature)


async def test_forged_callbacks_do_not_validate(fake: FakeTwilio, sender: SmsSender) -> None:
    fake.set_behaviour(TO, "deliver", forge=True)
    recorder = CallbackRecorder()
    async with serve_loopback(recorder.app) as receiver:
        callback_url = f"{receiver.base_url}/status"
        await sender.send(SmsMessage(to=TO, body="hei", status_callback=callback_url))
        await fake.wait_for_callbacks()

    assert len(recorder.received) == 3
    validator = RequestValidator(TOKEN)
    for callback in recorder.received:
        assert callback.signature
        assert not validator.validate(callback.url, callback.form, callback.signature)


async def test_not_a_mobile_number_is_a_permanent_error_with_the_code(
    fake: FakeTwilio, sender: SmsSender
) -> None:
    fake.set_behaviour(TO, "reject_permanent")

    with pytest.raises(SmsPermanentError) as caught:
        await sender.send(SmsMessage(to=TO, body="hei"))

    assert (caught.value.code, caught.value.status) == (21614, 400)
    assert fake.messages() == []


async def test_an_invalid_number_is_a_permanent_error(fake: FakeTwilio, sender: SmsSender) -> None:
    with pytest.raises(SmsPermanentError) as caught:
        await sender.send(SmsMessage(to="91234567", body="hei"))

    assert caught.value.code == 21211


async def test_unsubscribed_recipient_is_a_permanent_error(
    fake: FakeTwilio, sender: SmsSender
) -> None:
    fake.set_behaviour(TO, "reject_permanent", error_code=21610)

    with pytest.raises(SmsPermanentError) as caught:
        await sender.send(SmsMessage(to=TO, body="hei"))

    assert caught.value.code == 21610


async def test_503_is_a_temporary_error_and_a_retry_succeeds(
    fake: FakeTwilio, sender: SmsSender
) -> None:
    fake.set_behaviour(TO, "server_error", times=1)

    with pytest.raises(SmsTemporaryError) as caught:
        await sender.send(SmsMessage(to=TO, body="hei"))
    assert caught.value.status == 503
    assert fake.messages() == []

    result = await sender.send(SmsMessage(to=TO, body="hei"))
    assert [m.sid for m in fake.messages()] == [result.provider_id]


async def test_429_is_a_temporary_error(fake: FakeTwilio, sender: SmsSender) -> None:
    fake.set_behaviour(TO, "rate_limited", times=1)

    with pytest.raises(SmsTemporaryError) as caught:
        await sender.send(SmsMessage(to=TO, body="hei"))

    assert (caught.value.status, caught.value.code) == (429, 20429)


async def test_wrong_auth_token_is_a_permanent_error(
    fake: FakeTwilio, http: httpx.AsyncClient
) -> None:
    sender = TwilioSender(sms_settings(fake.base_url, token="not-the-token"), http)

    with pytest.raises(SmsPermanentError) as caught:
        await sender.send(SmsMessage(to=TO, body="hei"))

    assert (caught.value.code, caught.value.status) == (20003, 401)
    assert fake.messages() == []


async def test_unreachable_twilio_is_a_temporary_error(http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    sender = TwilioSender(sms_settings(f"http://127.0.0.1:{closed_port}"), http)

    with pytest.raises(SmsTemporaryError):
        await sender.send(SmsMessage(to=TO, body="hei"))


async def test_timeout_is_a_temporary_error(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    fake.set_behaviour(TO, "deliver", delay_seconds=0.5)
    sender = TwilioSender(sms_settings(fake.base_url, timeout=0.05), http)

    with pytest.raises(SmsTemporaryError) as caught:
        await sender.send(SmsMessage(to=TO, body="hei"))

    assert isinstance(caught.value.__cause__, httpx.TimeoutException)


async def test_message_bodies_are_never_logged(
    fake: FakeTwilio, sender: SmsSender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.set_behaviour("+4791234568", "reject_permanent")

    await sender.send(SmsMessage(to=TO, body="SECRET-BODY-1"))
    with pytest.raises(SmsPermanentError):
        await sender.send(SmsMessage(to="+4791234568", body="SECRET-BODY-2"))

    assert any(r.name == "app.notify.twilio_sender" for r in caplog.records)
    # All of each record, `extra` included: a JSON formatter writes those out too.
    assert not [r for r in caplog.records if "SECRET-BODY" in f"{vars(r)} {r.getMessage()}"]


def test_twilio_backend_needs_an_auth_token(http: httpx.AsyncClient) -> None:
    settings = SmsSettings(backend="twilio", twilio_auth_token=None)
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        TwilioSender(settings, http)
