"""/metrics after an alert is paged and taken: counts, histograms, gauges; enum labels only,
nothing personal; the token; a worker's own metrics port."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import update

from app.config import Settings
from app.config.sections import MetricsSettings
from app.main import create_app
from app.metrics.database import LATENCY_BUCKETS, OTHER, SUBJECTS
from app.metrics.process import serve_worker_metrics
from app.notify.models import OutboxMessage, OutboxStatus
from app.overdose.enums import AlertKind
from app.state import AppState
from app.triage.rules import TriageAction
from devtools.loopback import free_port
from tests.personal_data import RECOGNISABLE, personal_body
from tests.problems import assert_problem
from tests.scenario import Scenario, page_on_duty

TOKEN = "metrics-token-0123456789"
ENGINES = {
    "escalation",
    "dispatch",
    "followup",
    "webhooks",
    "clusters",
    "statistics",
    "retention",
    "idle_probe",  # app.worker.PROBE: the worker's one question a poll
}
LABEL_VALUES = {
    "kind": set(AlertKind),
    "triage_action": {*TriageAction, "none", OTHER},
    "subject": {*SUBJECTS, OTHER},
    "engine": ENGINES,
    "outcome": {"ok", "failed"},
}
"""Every label the service's own metrics use, and the values each may take."""


async def scrape(http: httpx.AsyncClient, **headers: str) -> dict[str, list[Sample]]:
    answer = await http.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict[str, list[Sample]], name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    found = [s for s in samples.get(name, []) if labels.items() <= s.labels.items()]
    assert found, f"no sample {name} {labels}"
    return sum(s.value for s in found)


async def test_metrics_after_an_alert_is_paged_and_taken(scenario: Scenario) -> None:
    team = await scenario.team()
    await scenario.policy(page_on_duty())
    alert = await scenario.alert(body=personal_body())
    await scenario.settle()
    assert scenario.sms_to(team.member_ids[0]), "the one on duty was paged"
    scenario.advance(timedelta(minutes=2))
    assert await scenario.take(alert, team.member_ids[0]) is not None

    answer = await scenario.http.get("/metrics")
    text = answer.text
    samples = await scrape(scenario.http)

    assert value(samples, "odvarsel_alerts_received_total", kind="non_fatal") == 1
    assert value(samples, "odvarsel_alert_first_sms_seconds_count") == 1
    assert value(samples, "odvarsel_alert_first_sms_seconds_bucket", le="10.0") == 1
    assert value(samples, "odvarsel_alert_acknowledged_seconds_count") == 1
    assert value(samples, "odvarsel_alert_acknowledged_seconds_sum") == 120
    assert value(samples, "odvarsel_alert_acknowledged_seconds_bucket", le="60.0") == 0
    assert value(samples, "odvarsel_alert_acknowledged_seconds_bucket", le="120.0") == 1
    assert value(samples, "odvarsel_alert_acknowledged_seconds_bucket", le="+Inf") == 1
    buckets = samples["odvarsel_alert_acknowledged_seconds_bucket"]
    assert len(buckets) == len(LATENCY_BUCKETS) + 1
    assert value(samples, "odvarsel_outbox_backlog") == 0
    assert value(samples, "odvarsel_outbox_oldest_unsent_seconds") == 0
    assert "odvarsel_sms_delivery_failures_total" not in samples, "none failed"
    assert value(samples, "odvarsel_followup_overdue_steps") == 0
    assert value(samples, "odvarsel_roster_holes") >= 0
    assert value(samples, "odvarsel_database_up") == 1
    for engine in ("escalation", "dispatch"):
        assert value(samples, "odvarsel_worker_rounds_total", engine=engine, outcome="ok") >= 1
        assert value(samples, "odvarsel_worker_round_seconds_count", engine=engine) >= 1

    for name, found in samples.items():
        if not name.startswith("odvarsel_"):
            continue
        for sample in found:
            for label, label_value in sample.labels.items():
                if label != "le":
                    assert label_value in LABEL_VALUES[label], (name, label, label_value)
    for personal in (*RECOGNISABLE, *team.mobiles.values(), "Ada Lund", "AMK-TEST"):
        assert personal not in text, personal


async def test_backlog_failures_and_overdue_steps(scenario: Scenario) -> None:
    team = await scenario.team()
    await scenario.policy(page_on_duty())
    alert = await scenario.alert()
    escalation = scenario.state.worker.engines[0]
    assert await escalation.run_once(scenario.clock.now()), "the page is written, not sent"
    scenario.advance(timedelta(seconds=45))
    samples = await scrape(scenario.http)
    assert value(samples, "odvarsel_outbox_backlog") == 1
    assert value(samples, "odvarsel_outbox_oldest_unsent_seconds") == 45

    await scenario.settle()
    async with scenario.state.sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).values(status=OutboxStatus.FAILED.value))
    assert await scenario.take(alert, team.member_ids[0]) is not None
    scenario.advance(timedelta(days=60))  # every step of the case is past its deadline
    samples = await scrape(scenario.http)
    assert value(samples, "odvarsel_sms_delivery_failures_total", subject="alert") == 1
    assert value(samples, "odvarsel_followup_overdue_steps") > 0


async def test_the_token_and_the_switch(settings: Settings, scenario: Scenario) -> None:
    guarded = settings.model_copy(update={"metrics": MetricsSettings(token=TOKEN)})
    app = create_app(guarded, clock=scenario.clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            refused = await http.get("/metrics")
            assert_problem(refused, 401)
            assert refused.headers["www-authenticate"] == "Bearer"
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert_problem(wrong, 401)
            samples = await scrape(http, Authorization=f"Bearer {TOKEN}")
            assert value(samples, "odvarsel_database_up") == 1
    off = settings.model_copy(update={"metrics": MetricsSettings(enabled=False)})
    app = create_app(off, clock=scenario.clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert_problem(await http.get("/metrics"), 404)


async def test_a_worker_process_serves_its_rounds_on_its_port(
    settings: Settings, state: AppState
) -> None:
    await state.worker.run_once()
    guarded = settings.model_copy(update={"metrics": MetricsSettings(token=TOKEN)})
    port = free_port()
    server = serve_worker_metrics(guarded, port=port)
    assert server is not None
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/metrics")).status_code == 401
            assert (await http.get("/other")).status_code == 404
            answer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200
    assert 'odvarsel_worker_rounds_total{engine="dispatch",outcome="ok"}' in answer.text
    assert serve_worker_metrics(settings) is None, "no port set: nothing served"


class _FailingEngine:
    """Stands in for the cluster engine, and fails every round."""

    name = "clusters"

    async def run_once(self, now: datetime) -> int:
        raise RuntimeError("a bug in the engine")


async def test_a_failed_round_is_logged_and_counted(
    http: httpx.AsyncClient, state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    before = await scrape(http)
    failed_before = sum(
        s.value
        for s in before.get("odvarsel_worker_rounds_total", [])
        if s.labels == {"engine": "clusters", "outcome": "failed"}
    )
    state.worker.side_engines[-1] = _FailingEngine()
    caplog.set_level(logging.ERROR, logger="app.worker")
    await state.worker.run_once()
    [failure] = [r for r in caplog.records if r.getMessage() == "engine round failed"]
    assert failure.__dict__["engine"] == "clusters"
    assert failure.__dict__["error_type"] == "RuntimeError"
    assert "a bug" not in caplog.text, "the error's type, never its message"
    after = await scrape(http)
    failed = value(after, "odvarsel_worker_rounds_total", engine="clusters", outcome="failed")
    assert failed == failed_before + 1
    assert value(after, "odvarsel_worker_rounds_total", engine="dispatch", outcome="ok") >= 1
