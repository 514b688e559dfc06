"""The baseline intake is measured against: FastAPI and one asyncpg insert per alert.

    BENCH_DSN=postgresql://postgres@127.0.0.1:5432/db uvicorn bench.minimal_app:app

What a service that stores an alert can hardly do with less: the body validated by a pydantic
model, one INSERT ... ON CONFLICT on a pooled connection, a 201 with the id. The table is made
on start-up. It runs with the same uvicorn (uvloop, httptools) and the same number of
processes as the service it is compared with, in the same rounds (bench/intake_cpu.py).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from pydantic import BaseModel

TABLE = """
CREATE TABLE IF NOT EXISTS minimal_alert (
    id uuid PRIMARY KEY,
    incident text NOT NULL UNIQUE,
    municipality text NOT NULL,
    occurred_at timestamptz NOT NULL,
    body jsonb NOT NULL
)"""
INSERT = """
INSERT INTO minimal_alert (id, incident, municipality, occurred_at, body)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident) DO NOTHING"""


class MinimalAlert(BaseModel):
    municipality: str
    dispatch_incident_id: str
    occurred_at: datetime
    kind: str
    place: dict[str, Any]
    person: dict[str, Any]
    clinical: dict[str, Any]
    consent: dict[str, Any]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DSN"], min_size=2, max_size=10)
    async with app.state.pool.acquire() as connection:
        await connection.execute("SELECT pg_advisory_lock(4242)")
        await connection.execute(TABLE)
        await connection.execute("SELECT pg_advisory_unlock(4242)")
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/v1/alerts", status_code=201)
async def create_alert(alert: MinimalAlert, request: Request) -> dict[str, str]:
    alert_id = uuid.uuid4()
    await request.app.state.pool.execute(
        INSERT,
        alert_id,
        alert.dispatch_incident_id,
        alert.municipality,
        alert.occurred_at,
        json.dumps(alert.model_dump(mode="json")),
    )
    return {"id": str(alert_id)}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
