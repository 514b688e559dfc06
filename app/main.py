"""create_app(): builds the FastAPI app; the lifespan owns the engine, SMS sender and worker."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from functools import cache

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import BaseRoute

from app import health, settings_checks
from app.alerts.router import router as alerts_router
from app.answers.inbound_router import router as inbound_sms_router
from app.api.clients import router as clients_router
from app.api.error_handlers import install_error_handlers
from app.audit.router import report_router as access_report_router
from app.audit.router import router as audit_router
from app.auth.directory import ClientDirectory
from app.auth.external import ExternalIssuer
from app.auth.limits import TokenGuard
from app.auth.router import router as auth_router
from app.auth.staff.router import router as staff_router
from app.auth.tokens import TokenCodec
from app.clock import Clock, SystemClock
from app.config import Settings, get_settings
from app.config.errors import ConfigError, report_config_error
from app.counters import Counters
from app.db import create_engine, create_sessionmaker
from app.decisions.router import router as decisions_router
from app.drug_warnings.reports.router import router as concern_reports_router
from app.drug_warnings.signals.router import router as cluster_signals_router
from app.drug_warnings.warnings.router import router as drug_warnings_router
from app.followup.cases.router import router as followup_cases_router
from app.followup.templates.router import router as followup_templates_router
from app.input_guard import InputGuard
from app.logging import configure_logging, silence_parameter_loggers
from app.metrics.router import router as metrics_router
from app.middleware import BodySizeLimit, MethodGate, RequestId, RequestLog
from app.notify.senders import build_sender
from app.notify.webhooks import router as webhooks_router
from app.openapi import SERVERS, install_docs, install_openapi, operation_id
from app.privacy.keys import build_cipher, build_hasher
from app.problems import problem_types_markdown
from app.reporters.router import router as reporters_router
from app.roster.rota.router import router as rota_router
from app.roster.teams.router import municipalities_router
from app.roster.teams.router import router as teams_router
from app.settings_documents import routers as documents
from app.state import AppState
from app.statistics.router import router as statistics_router
from app.web.app import MOUNT_PATH as WEB_PATH
from app.web.app import create_web_app
from app.web.form_app import FORM_PATH, create_form_app
from app.web.signin import router as staff_pages_router
from app.webhooks.addresses import AddressGuard, policy_of
from app.webhooks.router import router as outbound_webhooks_router
from app.worker import Worker, connections_wanted

settings_checks.install()  # before any settings are read (app_from_env, tests)

DESCRIPTION = """
Overdosevarsel receives overdose alerts from ambulance dispatch (AMK) systems and routes
them to the municipality's on-duty team.

* Authenticate with OAuth 2.0 client credentials at `POST /v1/oauth/token`.
* Post alerts to `POST /v1/alerts`; the dispatch incident id makes retries safe.
* Personal data is shown only by `GET /v1/alerts/{alert_id}/details`, within the consent
  rules, and every such answer is written to the access log (`/v1/privacy/access-log`).
* Every error is an RFC 9457 problem detail (`application/problem+json`); its `type` is one
  of those below (`https://odvarsel.no/problems/<type>`).
  A 4xx answer to `POST /v1/alerts` means the alert was **not** delivered; after a 5xx (or no
  answer) retry with the same dispatch incident id, which is always safe.
* Bodies are JSON in UTF-8 (`Content-Type: application/json`); a key may occur only once per
  object.

## Problem types

"""


@cache
def api_routes() -> tuple[BaseRoute, ...]:
    """The API's routes, built once per process and shared by every app made here.

    Building a route analyses its dependencies and response models (about 10 ms each with
    FastAPI 0.165); nothing in a route depends on the settings, so each `create_app` (every
    test makes one) reuses them. They hold no app: the app's state is reached per request.
    """
    builder = FastAPI(
        openapi_url=None, docs_url=None, redoc_url=None, generate_unique_id_function=operation_id
    )
    for router in (
        auth_router,
        staff_router,
        alerts_router,
        decisions_router,
        audit_router,
        access_report_router,
        municipalities_router,
        documents["written-standard"],
        teams_router,
        reporters_router,
        rota_router,
        documents["escalation-policy"],
        clients_router,
        webhooks_router,
        outbound_webhooks_router,
        documents["answer-options"],
        documents["triage"],
        followup_cases_router,
        followup_templates_router,
        documents["followup-settings"],
        documents["retention"],
        concern_reports_router,
        cluster_signals_router,
        drug_warnings_router,
        documents["warning-contacts"],
        documents["cluster-rules"],
        statistics_router,
        inbound_sms_router,
        health.router,
        metrics_router,
    ):
        builder.include_router(router)
    return tuple(builder.router.routes)


def build_state(
    settings: Settings, clock: Clock, engine: AsyncEngine, http: httpx.AsyncClient
) -> AppState:
    """What requests and the worker share: sessions, SMS sender, cipher, token codec, worker.
    The lifespan that calls it closes the sender and its HTTP client at shutdown."""
    sessions = create_sessionmaker(engine)
    sender = build_sender(settings, http=http, clock=clock)
    cipher = build_cipher(settings)
    webhook_addresses = AddressGuard(policy_of(settings))
    counters = Counters(sessions, secret=settings.jwt_secret())
    worker = Worker(
        sessions=sessions,
        sender=sender,
        clock=clock,
        settings=settings,
        cipher=cipher,
        webhook_addresses=webhook_addresses,
    )
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        tokens=TokenCodec(
            secret=settings.jwt_secret(),
            issuer=settings.auth.issuer,
            audience=settings.auth.audience,
            lifetime=timedelta(minutes=settings.auth.access_token_minutes),
        ),
        cipher=cipher,
        hasher=build_hasher(settings),
        sender=sender,
        outcomes=worker.outcomes,
        worker=worker,
        clients=ClientDirectory(sessions, clock),
        token_guard=TokenGuard(counters),
        counters=counters,
        webhook_addresses=webhook_addresses,
        external_tokens=ExternalIssuer.of(settings.client_oidc),
    )


def lifespan_for(
    settings: Settings, clock: Clock, web: FastAPI, *pages: FastAPI
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """What the app holds while it runs (`build_state`), shared with the staff pages' sub-app
    `web` and the form for crews, and closes at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool_size = settings.database_pool_size
        if settings.worker.run_in_app:
            pool_size += connections_wanted(settings)
        engine = create_engine(settings, pool_size=pool_size)
        # Not kept on the state: a sender that needs no HTTP (console, outbox) leaves it to be
        # freed with the lifespan, not held (with its TLS context) as long as the app object.
        http = httpx.AsyncClient(timeout=settings.sms.send_timeout_seconds)
        state = build_state(settings, clock, engine, http)
        for shared in (app, web, *pages):
            shared.state.odvarsel = state
        worker = state.worker
        worker_task = asyncio.create_task(worker.run()) if settings.worker.run_in_app else None
        # What start-up made (modules, tables, settings) lives as long as the app: frozen, the
        # cyclic collector no longer walks it on every full collection (bench.intake_cpu).
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            if worker_task is not None:
                worker.stop()
                await worker_task
            await state.sender.aclose()
            await http.aclose()
            await engine.dispose()

    return lifespan


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or SystemClock()
    silence_parameter_loggers()
    web = create_web_app(secret=settings.jwt_secret())
    web.include_router(staff_pages_router)  # /a/s/: staff sign-in pages
    form = create_form_app(secret=settings.jwt_secret())  # /skjema: the form for crews
    app = FastAPI(
        title="odvarsel",
        version="1.0.0",
        summary="Overdose alerts from ambulance dispatch to the municipality's on-duty team",
        description=DESCRIPTION + problem_types_markdown(),
        lifespan=lifespan_for(settings, clock, web, form),
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        servers=SERVERS,
    )
    install_error_handlers(app)
    install_openapi(app)
    if settings.docs_enabled:
        install_docs(app)
    app.router.routes.extend(api_routes())
    app.mount(WEB_PATH, web)
    app.mount(FORM_PATH, form)
    pages = (WEB_PATH + "/", FORM_PATH + "/")
    app.add_middleware(InputGuard, skip_prefixes=pages)
    app.add_middleware(MethodGate, skip_prefixes=pages)  # before the input checks
    app.add_middleware(BodySizeLimit, max_bytes=settings.http.max_body_bytes)
    app.add_middleware(RequestLog)
    app.add_middleware(RequestId)  # outermost: the request log's line carries the id
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory (`uvicorn --factory app.main:app_from_env`, the Docker image)."""
    try:
        settings = get_settings()
    except ConfigError as exc:  # one line per problem, not uvicorn's traceback
        report_config_error(exc)
        raise SystemExit(2) from None
    configure_logging(level=settings.log_level, json_lines=settings.log_json)
    return create_app(settings)
