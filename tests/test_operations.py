"""Health probes and logs without personal data."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from app.clock import FakeClock
from app.config import Settings
from app.main import create_app
from tests.factories import Factory, alert_body


async def test_healthz_and_readyz(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_readyz_fails_when_the_database_is_unreachable(
    settings: Settings, clock: FakeClock
) -> None:
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/none"}
    )
    app: FastAPI = create_app(unreachable, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/readyz")
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert (await http.get("/healthz")).status_code == 200


PERSONAL_VALUES = ["Kari Nordkvinne", "01010750160", "+4791234567", "91234567", "Storgata 7"]


async def test_logs_hold_no_personal_data(
    factory: Factory, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    amk = await factory.api_client()
    body = alert_body()
    body["person"].update(name="Kari Nordkvinne", national_id="01010750160", phone="91234567")
    body["place"] = {"description": "Storgata 7"}
    caplog.set_level(logging.DEBUG)
    assert (await http.post("/v1/alerts", json=body, headers=amk.headers)).status_code == 201
    invalid = alert_body(kind="Kari Nordkvinne")
    invalid["person"]["national_id"] = "01010750161"
    assert (await http.post("/v1/alerts", json=invalid, headers=amk.headers)).status_code == 422
    assert any(r.name == "odvarsel.request" for r in caplog.records)
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    for value in [*PERSONAL_VALUES, "01010750161"]:
        assert value not in logged
