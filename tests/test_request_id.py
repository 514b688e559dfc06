"""A request id on every answer and on every log line of its request; plain log lines keep
the request's fields; the worker logs its start and stop."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.logging import log_handler
from app.main import create_app
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.waiting import wait_for

NEW_ID = re.compile(r"[0-9a-f]{32}")


@contextmanager
def root_lines(*, json_lines: bool) -> Iterator[io.StringIO]:
    """What the service's own handler writes while the block runs (INFO and above)."""
    stream = io.StringIO()
    handler = log_handler(json_lines=json_lines, stream=stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, False),
        ("req-7f3a.b:c/d+e=", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("two words", False),
        ("-leading-dash", False),
        ("æøå", False),
        ("AMK-24057710035", False),  # a national identity number's shape is never logged
        ("", False),
    ],
)
async def test_the_callers_id_is_kept_when_sane(
    http: httpx.AsyncClient, given: str | None, kept: bool
) -> None:
    headers = {} if given is None else {b"X-Request-ID": given.encode()}
    answer = await http.get("/healthz", headers=headers)
    request_id = answer.headers["x-request-id"]
    if kept:
        assert request_id == given
    else:
        assert NEW_ID.fullmatch(request_id), request_id


async def test_every_line_of_a_request_carries_its_id(
    factory: Factory, http: httpx.AsyncClient
) -> None:
    amk = await factory.api_client()
    with root_lines(json_lines=True) as stream:
        answer = await http.post(
            "/v1/alerts", json=alert_body(), headers={**amk.headers, "X-Request-ID": "amk-1"}
        )
        await http.get("/v1/alerts/not-an-id", headers=amk.headers)
    assert answer.status_code == 201 and answer.headers["x-request-id"] == "amk-1"
    written = [json.loads(line) for line in stream.getvalue().splitlines()]
    lines = [line for line in written if line["logger"] != "httpx"]  # the test's own client
    requests = [line for line in lines if line["logger"] == "odvarsel.request"]
    assert [line["status"] for line in requests] == [201, 422]
    assert requests[0]["request_id"] == "amk-1"
    assert NEW_ID.fullmatch(requests[1]["request_id"])
    assert all("request_id" in line for line in lines), lines


async def test_plain_lines_keep_method_path_status_and_id(http: httpx.AsyncClient) -> None:
    with root_lines(json_lines=False) as stream:
        await http.get("/healthz", headers={"X-Request-ID": "probe-1"})
    (line,) = [line for line in stream.getvalue().splitlines() if "odvarsel.request" in line]
    assert " INFO odvarsel.request request method=GET path=/healthz status=200 " in line
    assert "duration_ms=" in line and line.endswith(" request_id=probe-1")


def test_plain_values_that_are_not_one_word_are_quoted() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("odvarsel.test.plain")
    logger.addHandler(log_handler(json_lines=False, stream=stream))
    logger.propagate = False
    try:
        logger.warning("x", extra={"why": 'two "words"', "ids": [1, 2], "empty": ""})
    finally:
        logger.handlers.clear()
        logger.propagate = True
    assert stream.getvalue().rstrip().endswith(' x why="two \\"words\\"" ids=[1,2] empty=""'), (
        stream.getvalue()
    )


async def test_an_unexpected_error_answers_and_logs_the_id(settings: Settings) -> None:
    app: FastAPI = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        with root_lines(json_lines=True) as stream:
            answer = await http.get("/boom", headers={"X-Request-ID": "bug-1"})
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "bug-1"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {line["message"] for line in lines} >= {"unhandled error", "request"}
    assert all(line["request_id"] == "bug-1" for line in lines), lines


async def test_the_worker_logs_its_start_and_stop(
    state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.worker")
    running = asyncio.create_task(state.worker.run())
    await wait_for(lambda: "worker started" in caplog.messages, within=10)
    started = next(r for r in caplog.records if r.getMessage() == "worker started")
    assert started.__dict__["engines"] == [
        "escalation",
        "dispatch",
        "followup",
        "webhooks",
        "statistics",
        "clusters",
        "retention",
    ]
    state.worker.stop()
    await running
    assert "worker stopped" in caplog.messages
    assert not hasattr(started, "request_id"), "no request, no id"
