"""The fake Twilio over raw HTTP (validation, behaviours, records, the CLI) and ConsoleSender."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from app.clock import FakeClock
from app.notify.console_sender import ConsoleSender
from app.notify.sms import DeliveryState, SmsMessage, SmsSender
from devtools.fake_twilio import BehaviourKind, FakeTwilio, num_segments
from devtools.loopback import free_port, serve_loopback
from tests.callbacks import CallbackRecorder

TOKEN = "fake-auth-token-0123456789abcdef"
ACCOUNT = "AC0123456789abcdef0123456789abcdef"
PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
TO = "+4791234567"
VALID = {"To": TO, "From": "+4759440000", "Body": "hei"}
START = datetime(2026, 11, 23, 12, 0, 7, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio.running(auth_token=TOKEN, clock=clock) as running:
        yield running


@pytest.fixture
async def api(fake: FakeTwilio) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=fake.base_url, auth=(ACCOUNT, TOKEN), trust_env=False
    ) as client:
        yield client


async def test_accepts_a_message_with_a_twilio_message_resource(
    fake: FakeTwilio, api: httpx.AsyncClient
) -> None:
    response = await api.post(PATH, data=VALID)

    assert response.status_code == 201
    resource = response.json()
    assert resource["sid"].startswith("SM") and len(resource["sid"]) == 34
    int(resource["sid"][2:], 16)
    assert resource["status"] == "queued"
    assert (resource["to"], resource["from"], resource["body"]) == (TO, "+4759440000", "hei")
    assert resource["account_sid"] == ACCOUNT
    assert resource["num_segments"] == "1"
    assert resource["uri"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{resource['sid']}.json"
    assert parsedate_to_datetime(resource["date_created"]) == START  # the fake's clock
    assert [m.sid for m in fake.messages()] == [resource["sid"]]


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "+4759440000", "Body": "hei"}, 21604),
        ({"To": TO, "Body": "hei"}, 21603),
        ({"To": TO, "From": "+4759440000"}, 21602),
        ({**VALID, "To": "91234567"}, 21211),
        ({**VALID, "To": "+47 912 34 567"}, 21211),
        ({**VALID, "From": "not a sender!"}, 21212),
        ({**VALID, "Body": "x" * 1601}, 21617),
        ({**VALID, "StatusCallback": "ftp://example.invalid/cb"}, 21609),
    ],
)
async def test_validates_like_twilio(
    fake: FakeTwilio, api: httpx.AsyncClient, form: dict[str, str], code: int
) -> None:
    response = await api.post(PATH, data=form)

    assert response.status_code == 400
    error = response.json()
    assert (error["code"], error["status"]) == (code, 400)
    assert error["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert error["message"]
    assert fake.messages() == []


async def test_an_alphanumeric_sender_is_accepted(api: httpx.AsyncClient) -> None:
    response = await api.post(PATH, data={**VALID, "From": "ODVARSEL"})
    assert response.status_code == 201


@pytest.mark.parametrize("auth", [None, (ACCOUNT, "wrong-token"), ("", TOKEN)])
async def test_wrong_credentials_get_twilio_401(
    fake: FakeTwilio, auth: tuple[str, str] | None
) -> None:
    async with httpx.AsyncClient(base_url=fake.base_url, trust_env=False) as client:
        response = await client.post(PATH, data=VALID, auth=auth or httpx.USE_CLIENT_DEFAULT)

    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert fake.messages() == []


async def test_a_configured_account_sid_must_match(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    strict_fake = FakeTwilio.running(auth_token=TOKEN, account_sid="AC" + "1" * 32, clock=clock)
    async with strict_fake as strict:
        response = await api.post(f"{strict.base_url}{PATH}", data=VALID)
    assert response.status_code == 401


async def test_path_account_must_be_the_authenticated_one(api: httpx.AsyncClient) -> None:
    response = await api.post("/2010-04-01/Accounts/ACother/Messages.json", data=VALID)
    assert response.status_code == 404


async def test_behaviours_over_http_server_error_n_times_then_ok(
    fake: FakeTwilio, api: httpx.AsyncClient
) -> None:
    response = await api.post(
        "/_fake/behaviours", json={"to": TO, "kind": "server_error", "times": 2}
    )
    assert response.status_code == 200

    statuses = [(await api.post(PATH, data=VALID)).status_code for _ in range(3)]

    assert statuses == [503, 503, 201]
    assert len(fake.messages()) == 1


async def test_reject_permanent_answers_21614(fake: FakeTwilio, api: httpx.AsyncClient) -> None:
    fake.set_behaviour(TO, "reject_permanent")

    response = await api.post(PATH, data=VALID)

    assert response.status_code == 400
    assert response.json()["code"] == 21614
    other = await api.post(PATH, data={**VALID, "To": "+4791234568"})
    assert other.status_code == 201


async def test_the_star_behaviour_applies_to_every_other_number(
    fake: FakeTwilio, api: httpx.AsyncClient
) -> None:
    fake.set_behaviour("*", "reject_permanent", error_code=21610)

    response = await api.post(PATH, data={**VALID, "To": "+4799999999"})

    assert response.json()["code"] == 21610


async def test_invalid_behaviour_json_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/_fake/behaviours", json={"to": TO, "kind": "explode"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("deliver", [("queued", None), ("sent", None), ("delivered", None)]),
        ("fail_callback", [("queued", None), ("failed", "30003")]),
        ("undelivered", [("queued", None), ("sent", None), ("undelivered", "30005")]),
    ],
)
async def test_status_callbacks_per_behaviour(
    fake: FakeTwilio,
    api: httpx.AsyncClient,
    kind: BehaviourKind,
    expected: list[tuple[str, str | None]],
) -> None:
    fake.set_behaviour(TO, kind)
    recorder = CallbackRecorder()
    async with serve_loopback(recorder.app) as receiver:
        form = {**VALID, "StatusCallback": f"{receiver.base_url}/status"}
        sid = (await api.post(PATH, data=form)).json()["sid"]
        await fake.wait_for_callbacks()

    received = [(c.form["MessageStatus"], c.form.get("ErrorCode")) for c in recorder.received]
    assert received == expected
    assert {c.form["MessageSid"] for c in recorder.received} == {sid}
    [message] = fake.messages()
    assert message.status == expected[-1][0]
    assert [(a.status, a.http_status) for a in message.callbacks] == [
        (status, 204) for status, _ in expected
    ]


@pytest.mark.parametrize(
    ("kind", "final"),
    [("deliver", "delivered"), ("fail_callback", "failed"), ("undelivered", "undelivered")],
)
async def test_without_status_callbacks_a_message_takes_its_final_status_at_once(
    kind: BehaviourKind, final: str, clock: FakeClock
) -> None:
    recorder = CallbackRecorder()
    async with (
        serve_loopback(recorder.app) as receiver,
        FakeTwilio.running(auth_token=TOKEN, status_callbacks=False, clock=clock) as quiet,
        httpx.AsyncClient(base_url=quiet.base_url, auth=(ACCOUNT, TOKEN), trust_env=False) as api,
    ):
        quiet.set_behaviour(TO, kind)
        form = {**VALID, "StatusCallback": f"{receiver.base_url}/status"}
        response = await api.post(PATH, data=form)
        await quiet.wait_for_callbacks(within=0.5)  # none are due

    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    [message] = quiet.messages()
    assert (message.status, message.callbacks) == (final, [])
    assert recorder.received == []


async def test_records_and_lists_messages_with_receive_times(
    fake: FakeTwilio, api: httpx.AsyncClient, clock: FakeClock
) -> None:
    clock.advance(timedelta(minutes=3))
    before_perf = time.perf_counter()
    await api.post(PATH, data=VALID)
    after_perf = time.perf_counter()

    [message] = fake.messages()
    assert before_perf <= message.received_perf <= after_perf
    assert message.received_at == START + timedelta(minutes=3)
    await fake.wait_for_callbacks()
    listed = (await api.get("/_fake/messages")).json()
    assert [(m["sid"], m["to"], m["from"], m["body"]) for m in listed] == [
        (message.sid, TO, "+4759440000", "hei")
    ]
    assert listed[0]["status"] == "delivered"
    assert datetime.fromisoformat(listed[0]["received_at"]) == message.received_at


async def test_reset_forgets_messages_and_behaviours(
    fake: FakeTwilio, api: httpx.AsyncClient
) -> None:
    fake.set_behaviour(TO, "reject_permanent")
    await api.post(PATH, data={**VALID, "To": "+4791234568"})

    assert (await api.post("/_fake/reset")).status_code == 204

    assert (await api.get("/_fake/messages")).json() == []
    assert (await api.post(PATH, data=VALID)).status_code == 201


async def test_counts_every_one_of_many_concurrent_messages(
    fake: FakeTwilio, api: httpx.AsyncClient
) -> None:
    numbers = [f"+47900{n:05d}" for n in range(200)]

    # Waiting for one of the client's 100 connections is not under test: on a loaded machine
    # the default 5 s pool timeout ran out before the fake had answered the first hundred.
    patient = httpx.Timeout(60.0)
    responses = await asyncio.gather(
        *(api.post(PATH, data={**VALID, "To": n}, timeout=patient) for n in numbers)
    )

    assert {r.status_code for r in responses} == {201}
    messages = fake.messages()
    assert sorted(m.to for m in messages) == numbers
    assert len({m.sid for m in messages}) == 200


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("æøåÆØÅ" * 26 + "abcd", 1),  # Norwegian letters are GSM-7: still 160 to a segment
        ("€" * 80, 1),  # extension characters count two septets
        ("€" * 81, 2),
        ("🚑" * 35, 1),  # UCS-2: a surrogate pair is two of the 70 units
        ("🚑" * 36, 2),
        ("š" * 134, 2),
        ("š" * 135, 3),
    ],
)
def test_num_segments(body: str, segments: int) -> None:
    assert num_segments(body) == segments


@pytest.mark.parametrize(
    ("flags", "status"), [([], "queued|sent|delivered"), (["--no-callbacks"], "delivered")]
)
def test_runs_as_its_own_process(flags: list[str], status: str) -> None:
    command = [sys.executable, "-m", "devtools.fake_twilio", "--port", "0", "--auth-token", TOKEN]
    process = subprocess.Popen(
        [*command, *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("FAKE_TWILIO_BASE_URL=http://127.0.0.1:")
        base_url = line.partition("=")[2]
        with httpx.Client(base_url=base_url, auth=(ACCOUNT, TOKEN), trust_env=False) as client:
            nobody = f"http://127.0.0.1:{free_port()}/status"  # callbacks there fail
            response = client.post(PATH, data={**VALID, "StatusCallback": nobody})
            assert response.status_code == 201
            [listed] = client.get("/_fake/messages").json()
            assert listed["to"] == TO
            assert listed["status"] in status.split("|")
            if flags:  # "delivered" with callbacks would have meant three failed attempts
                assert listed["callbacks"] == []
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == 0


async def test_console_sender_prints_and_keeps_messages(capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    console = ConsoleSender(clock)
    sender: SmsSender = console

    first = await sender.send(SmsMessage(to=TO, body="Overdose: Storgata 1"))
    second = await sender.send(SmsMessage(to="+4791234568", body="Påminnelse", status_callback="x"))
    await sender.aclose()

    assert capsys.readouterr().out.splitlines() == [
        f"[SMS to {TO}] Overdose: Storgata 1",
        "[SMS to +4791234568] Påminnelse",
    ]
    assert first.state is second.state is DeliveryState.DELIVERED
    assert first.provider_id.startswith("CONSOLE-") and first.provider_id != second.provider_id
    assert len(first.provider_id) <= 64, "fits outbox_message.provider_id"
    again = await ConsoleSender(clock).send(SmsMessage(to=TO, body="x"))
    assert again.provider_id not in {first.provider_id, second.provider_id}, (
        "a new process (a restart) never repeats an id the outbox already holds"
    )
    assert [(s.provider_id, s.to, s.body, s.state) for s in console.outbox] == [
        (first.provider_id, TO, "Overdose: Storgata 1", "delivered"),
        (second.provider_id, "+4791234568", "Påminnelse", "delivered"),
    ]
    assert console.outbox[0].sent_at == clock.now()
