"""The OpenAPI document and its pages.

FastAPI's document, finished for integrators: every error response as
application/problem+json, operation ids that read like an SDK (`createAlert`), a `servers`
entry, `security` on every operation (HTTP Basic on the token endpoint, Twilio's signature on
its webhook, none on the probes), 413/415 where a body is read, and the two 422s of
POST /v1/alerts told apart. `/docs` and `/redoc` are served with assets from the
`fastapi-offline` package, so they work without a CDN (ReDoc's own script is served with its
one CDN address, the "API docs by Redocly" logo, pointed at the local favicon); they are off
in production unless HTTP__DOCS_ENABLED is set.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

from app.problems import PROBLEM_JSON, PROBLEM_TYPE_BASE, Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
DOCS_ASSETS_PATH = "/docs-assets"
DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
REDOC_JS_PATH = f"{DOCS_ASSETS_PATH}/redoc.local.js"
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

SERVERS = [{"url": "/", "description": "This odvarsel instance"}]
"""The app's `servers` (`FastAPI(servers=...)`)."""

OPERATION_IDS: dict[str, str] = {
    "token": "createAccessToken",
    "post_alert": "createAlert",
    "post_supplement": "createAlertSupplement",
    "list_entries": "listAccessLogEntries",
    "lookup_person": "listAccessLogEntriesForPerson",
    "on_duty": "getOnDuty",
    "roster_holes": "listRosterHoles",
    "get_policy": "getEscalationPolicy",
    "put_policy": "setEscalationPolicy",
    "twilio_status": "receiveTwilioStatus",
    "healthz": "getHealth",
    "readyz": "getReadiness",
    "metrics": "getMetrics",
}
"""Operation ids by endpoint function name, where the camelCase of the name reads badly."""

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "ClientBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "On the token endpoint only: `client_id:client_secret` as HTTP Basic "
        "(RFC 6749 §2.3.1). The same credentials may instead be sent as form fields.",
    },
    "TwilioSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Twilio-Signature",
        "description": "Twilio's HMAC-SHA1 signature of the URL and form, keyed with the "
        "account's auth token. Unsigned or forged callbacks get 403.",
    },
    "MetricsToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "On /metrics only, when METRICS__TOKEN is set: that token.",
    },
}

OPERATION_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    # Basic, or the credentials as form fields (no scheme).
    "createAccessToken": [{"ClientBasic": []}, {}],
    "receiveTwilioStatus": [{"TwilioSignature": []}],
    # The token only when METRICS__TOKEN is set.
    "getMetrics": [{"MetricsToken": []}, {}],
}
"""Security of operations without a bearer token; any other such operation is public."""

TWILIO_FORM = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "MessageSid": {"type": "string", "examples": ["SM0123456789abcdef"]},
                    "MessageStatus": {
                        "type": "string",
                        "examples": ["delivered"],
                        "description": "Only delivered, failed and undelivered change anything.",
                    },
                    "ErrorCode": {"type": "string", "examples": ["30003"]},
                },
                "required": ["MessageSid", "MessageStatus"],
            }
        }
    },
}

_LOCATION = {
    "Location": {
        "description": "The alert's status resource, `/v1/alerts/{alert_id}`.",
        "schema": {"type": "string", "format": "uri-reference"},
    }
}

_ALERT_422_EXAMPLES = {
    "invalid": {
        "summary": "validation-error: the request is invalid, correct it",
        "value": {
            "type": PROBLEM_TYPE_BASE + "validation-error",
            "title": "The request is not valid",
            "status": 422,
            "detail": "occurred_at: more than 60 minutes after the service's clock; check "
            "the sending system's clock and time zone",
            "instance": "/v1/alerts",
            "errors": [
                {
                    "field": "occurred_at",
                    "reason": "more than 60 minutes after the service's clock; check the "
                    "sending system's clock and time zone",
                }
            ],
        },
    },
    "malformed": {
        "summary": "malformed-json: the body is not UTF-8 JSON",
        "value": {
            "type": PROBLEM_TYPE_BASE + "malformed-json",
            "title": "The body is not readable JSON",
            "status": 422,
            "detail": "The body cannot be read as JSON: Expecting ',' delimiter at line 3, "
            "column 23. Send one JSON object in UTF-8 with Content-Type: application/json. "
            "Nothing was stored.",
            "instance": "/v1/alerts",
            "line": 3,
            "column": 23,
        },
    },
    "not-delivered": {
        "summary": "alert-not-delivered: valid, but nobody is paged: phone the municipality",
        "value": {
            "type": PROBLEM_TYPE_BASE + "alert-not-delivered",
            "title": "The alert was NOT delivered",
            "status": 422,
            "detail": "Municipality 9999 is not served by odvarsel. The alert was NOT "
            "delivered: notify the municipality by phone.",
            "instance": "/v1/alerts",
        },
    },
}

_ALERT_409_EXAMPLE = {
    "type": PROBLEM_TYPE_BASE + "conflict",
    "title": "Conflict",
    "status": 409,
    "detail": "Incident AMK-OST-2026-004711 was already reported with other content (alert "
    "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10). To add to it or correct it, POST a supplement to "
    "/v1/alerts/0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10/supplements; for a new alert send a new "
    "dispatch incident id.",
    "instance": "/v1/alerts",
    "alert_id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
    "supplements": "/v1/alerts/0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10/supplements",
}


TAG_DESCRIPTIONS: dict[str, str] = {
    "auth": "Access tokens (OAuth 2.0 client credentials).",
    "staff": "Staff sign-in on the phone: a one-time link by SMS (the default) or an "
    "OpenID Connect provider's ID token (`STAFF__MODE=oidc`) gives a session token, sent as "
    "`Authorization: Bearer <token>` (scheme `StaffSession`) to the staff API. Sessions "
    "expire (`STAFF__SESSION_HOURS`, 12 h) and end on sign-out or when the member is "
    "deactivated.",
    "alerts": "Posting alerts and their supplements, their status and triage, and their "
    "personal data (logged).",
    "manual disclosures": "Disclosures the consent rules never make, decided and recorded by "
    "a person: to the police (helsepersonelloven § 31, § 23 nr. 4), barnevernet (§ 33), the "
    "nearest relative (pasient- og brukerrettighetsloven § 3-3, hpl § 23 nr. 1) or the "
    "municipal health and care service about a pregnancy (§ 32). Each writes one access-log "
    "entry and opens a duty to tell the person (scope `alerts:details`).",
    "inform duties": "The duty to tell the person what was shared without their consent "
    "(pasient- og brukerrettighetsloven § 3-6): who informs, or why not (scope "
    "`alerts:details`).",
    "privacy": "The privacy officer's view of the access log.",
    "admin: teams": "Municipalities, teams and members (scope `admin`).",
    "admin: reporters": "The crews (ambulance, AMK, legevakt, Feltpleien) who may send alerts "
    "with the form at `/skjema`, each signing in by SMS link or OIDC, bound to municipalities.",
    "admin: rosters": "Rotations, shifts, overrides, calendar import, who is on duty.",
    "admin: escalation": "Who is paged, in which order, and when.",
    "admin: answers": "The answers offered to whoever takes an alert, to tell the crew: "
    "minutes, the municipality's places, when a follow-up happens.",
    "admin: triage": "Which alerts page at once and which wait for the team's working hours "
    "(Oslo time, Norwegian public holidays and the municipality's closed days excepted, short "
    "days ending early), by outcome, destination and severity. Fixed rules come first: an "
    "`objected` (anonymous) alert pages nobody, a fatal alert goes to the leader (by day at "
    "once, at night in the morning).",
    "drug warnings": "Warnings about dangerous drugs: concern reports filed by partners (scope "
    "`concerns:write`) or staff, cluster signals (N overdoses within H hours in an area), and "
    "the leader's warnings, which reach nobody until approved (scope `alerts:details`).",
    "statistics": "Anonymous counts for the municipality's local mapping (seed 003): by "
    "month, half-year and year, kind, outcome, destination, place, evening and weekend, sex, "
    "age band, naloxone, substance group, reached within 24 h and next appointment. Counts "
    "from 1 to 4 show as `<5`, and further counts as `x` wherever one could be recovered by "
    "subtraction (scope `statistics:read`, or the team leader signed in).",
    "admin: drug warnings": "Who a municipality's approved warnings reach (an SMS contact list, "
    "neighbouring municipalities), and how clusters of overdoses are detected.",
    "admin: clients": "API clients of the caller's municipalities: list, deactivate, rotate "
    "secrets (scope `admin:clients`).",
    "webhooks": "Called by Twilio: delivery reports, and staff members' SMS replies "
    "(`OK <code>` takes an alert; STOP, START, HELP).",
    "outbound webhooks": "Events posted to the dispatch system's own endpoint when its alert "
    "is acknowledged (`alert.acknowledged`), the team answers the crew (`alert.answered`) "
    "or a supplement makes a new version (`alert.supplemented`), "
    "signed by [Standard Webhooks](https://www.standardwebhooks.com/) (`webhook-id`, "
    "`webhook-timestamp`, `webhook-signature`: verify with the secret shown when the endpoint "
    "was made, with any Standard Webhooks library). The body is "
    '`{"type": …, "timestamp": …, "data": {…}}`, where `data` is the alert\'s status as '
    "`GET /v1/alerts/{alert_id}` answers it (who took it, the answer, the timeline; no "
    "personal data). Anything but 2xx is retried with backoff (10 s, 30 s, 1 min, 5 min, "
    "15 min, then hourly; by default 20 "
    "attempts, about 14 hours); a client's events arrive in the order they happened, each "
    "under a `webhook-id` that stays the same on every attempt, for deduplication.",
    "cases": "Follow-up cases after an overdose, for a municipality's case system acting for "
    "the team's leader (scope `alerts:details`): steps with owners and deadlines, overdue first; "
    "recording outcomes, assigning, closing early. No personal data.",
    "admin: follow-up": "The follow-up templates (survivor, fatal) that a municipality's cases "
    "are opened from: steps, owners, deadlines after the overdose, conditions.",
    "admin: retention": "How long a municipality keeps a closed case's identifying data "
    "before the retention engine purges it (the other periods are the service's settings).",
    "operations": "Liveness and readiness probes, and Prometheus metrics.",
}


def operation_id(route: APIRoute) -> str:
    """`createAlert` for `post_alert`: an explicit id, or the endpoint's name in camelCase."""
    if route.name in OPERATION_IDS:
        return OPERATION_IDS[route.name]
    head, *rest = route.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def install_openapi(app: FastAPI) -> None:
    """FastAPI's own document of the app (from its title, servers, routes and the rest),
    finished once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc with their assets served by the app itself."""
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    redirect_url = "/docs/oauth2-redirect"

    async def redoc_js() -> Response:
        return Response(_redoc_script(), media_type="text/javascript")

    app.add_api_route(REDOC_JS_PATH, redoc_js, include_in_schema=False)  # before the mount
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect_url,
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
        )

    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=REDOC_JS_PATH,
            redoc_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route(redirect_url, swagger_ui_redirect, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)


@cache
def _redoc_script() -> bytes:
    """ReDoc's standalone script with its footer's logo taken from the app, not a CDN."""
    script = (DOCS_ASSETS_DIR / "redoc.standalone.js").read_text(encoding="utf-8")
    return script.replace(REDOC_CDN_LOGO, f"{DOCS_ASSETS_PATH}/favicon.png").encode()


def finish(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema(ref_template=""))
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    used: list[str] = []
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            _finish_operation(operation)
            used += [t for t in operation.get("tags", []) if t not in used]
            # Tools show the description; the summary says it where there is nothing more.
            operation.setdefault("description", operation.get("summary", ""))
    spec["tags"] = [
        {"name": tag, **({"description": TAG_DESCRIPTIONS[tag]} if tag in TAG_DESCRIPTIONS else {})}
        for tag in used
    ]
    return spec


def _finish_operation(operation: dict[str, Any]) -> None:
    op_id = operation.get("operationId", "")
    if "security" not in operation:
        operation["security"] = OPERATION_SECURITY.get(op_id, [])
    for requirement in operation["security"]:
        # A route's scopes are the client token's; a staff session has none (`auth.staff.acting`).
        if "StaffSession" in requirement:
            requirement["StaffSession"] = []
    if op_id == "receiveTwilioStatus":
        operation.setdefault("requestBody", TWILIO_FORM)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        responses.setdefault("413", {"description": "The request body is too large"})
    if "application/json" in body:
        responses.setdefault(
            "415", {"description": "The body was not sent as `Content-Type: application/json`"}
        )
        responses.setdefault("422", {"description": "Validation error"})
        description = responses["422"].get("description", "")
        if "malformed-json" not in description:
            responses["422"]["description"] = (
                description.rstrip(".")
                + ". `malformed-json`: the body is not UTF-8 JSON (`line`, `column`)."
            )
    if "application/x-www-form-urlencoded" in body:
        responses.setdefault("400", {"description": "The form cannot be parsed"})
        responses.setdefault(
            "415", {"description": "Not sent as `application/x-www-form-urlencoded`"}
        )
        responses.setdefault(
            "422", {"description": "Validation error: a form field with a control character"}
        )
    # The input guard refuses control characters in any query string or path (app.input_guard).
    responses.setdefault(
        "422", {"description": "Validation error: the query or path holds a control character"}
    )
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
            continue
        description = response.get("description", "")
        if status == "422" and "validation" not in description.lower():
            response["description"] = f"Validation error: the fields and the reasons. {description}"
        response["description"] = response["description"].strip()
        content: dict[str, Any] = {"schema": PROBLEM_REF}
        if op_id == "createAlert" and status == "422":
            content["examples"] = _ALERT_422_EXAMPLES
        if op_id == "createAlert" and status == "409":
            content["example"] = _ALERT_409_EXAMPLE
        response["content"] = {PROBLEM_JSON: content}
    if op_id == "createAlert":
        for status in ("200", "201"):
            responses.get(status, {})["headers"] = _LOCATION
