"""The nested sections of the settings, one per concern: `AUTH__*`, `HTTP__*`, `LINKS__*`,
`INTAKE__*`, `SMS__*`, `WORKER__*`, `WEBHOOKS__*`, `CRYPTO__*`, `STAFF__*`,
`CLIENT_OIDC__*`, `METRICS__*` and `RETENTION__*`.

Each checks its own fields; what needs several sections, or a domain's knowledge (a key's
format, a link's length), is checked by `app.config.checks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, IPvAnyNetwork, SecretStr, model_validator


class AuthSettings(BaseModel):
    jwt_secret: SecretStr | None = Field(
        default=None, description="HMAC key that signs access tokens (at least 32 bytes)."
    )
    issuer: str = Field(default="odvarsel", description="`iss` claim of issued tokens.")
    audience: str = Field(default="odvarsel-api", description="`aud` claim of issued tokens.")
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)


_JWKS_URL = r"^(https://\S+|http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/\S*)?)$"
"""A key set's URL: https, or http on loopback only (a local provider, tests)."""


def _oidc_missing(
    prefix: str, issuer: str | None, audience: str | None, key_set: str | Path | None
) -> list[str]:
    """What an enabled OpenID Connect issuer still lacks, named as the environment spells it
    (`prefix` is the section's own: staff and machine clients name theirs differently)."""
    return [
        name
        for name, value in (
            (f"{prefix}ISSUER", issuer),
            (f"{prefix}AUDIENCE", audience),
            (f"{prefix}JWKS_URL or {prefix}JWKS_FILE", key_set),
        )
        if not value
    ]


# The fields both OpenID Connect sections have, staff's sign-in and machine clients' tokens.
_IssuerValue = Annotated[str | None, Field(max_length=500)]
"""An `iss` or `aud` value the tokens must carry."""
_JwksUrl = Annotated[str | None, Field(max_length=500, pattern=_JWKS_URL)]
_JwksFile = Annotated[
    Path | None, Field(description="The key set as a JSON file, instead of fetching it.")
]
_JwksCacheMinutes = Annotated[
    int, Field(ge=1, le=24 * 60, description="How long a fetched key set is used.")
]
_ClaimName = Annotated[str, Field(min_length=1, max_length=100)]


class ClientOidcSettings(BaseModel):
    """Machine clients' access tokens from an OpenID Connect issuer (HelseID in production),
    accepted besides our own client-credentials tokens (`app.auth.external`). Off unless
    `enabled`; the token's client claim must name a registered, active client."""

    enabled: bool = Field(default=False, description="Accept the issuer's access tokens.")
    issuer: _IssuerValue = Field(default=None, description="`iss` the issuer's tokens must carry.")
    audience: _IssuerValue = Field(
        default=None, description="`aud` the tokens must carry (this API)."
    )
    jwks_url: _JwksUrl = Field(
        default=None, description="The issuer's key set (JWKS): https, or http on loopback only."
    )
    jwks_file: _JwksFile = None
    jwks_cache_minutes: _JwksCacheMinutes = 60
    client_claim: _ClaimName = Field(
        default="client_id", description="The claim naming the registered client the token acts as."
    )

    @model_validator(mode="after")
    def _complete(self) -> ClientOidcSettings:
        if self.enabled:
            missing = _oidc_missing(
                "CLIENT_OIDC__", self.issuer, self.audience, self.jwks_url or self.jwks_file
            )
            if missing:
                raise ValueError(f"enabled needs {', '.join(missing)}")
        return self


class HttpSettings(BaseModel):
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Larger request bodies are refused with 413."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+$",
        description="Base of links sent to staff by SMS: scheme and host only, at most 33 "
        "characters, so every SMS stays one segment (the length is the link format's, "
        "checked by `app.notify.links.base_url_problems`).",
    )
    docs_enabled: bool | None = Field(
        default=None,
        description="Serve /docs and /redoc (assets from the app, no CDN). Unset: on in "
        "development, off in production.",
    )


class LinkSettings(BaseModel):
    expiry_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 14,
        description="How long a link sent by SMS to a staff member works (and its reply code).",
    )


class IntakeSettings(BaseModel):
    max_age_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="An alert whose occurred_at is further back than this is refused (422).",
    )
    max_future_minutes: int = Field(
        default=60,
        ge=0,
        le=24 * 60,
        description="An alert whose occurred_at is further ahead of the service clock than "
        "this is refused (422).",
    )


class SmsSettings(BaseModel):
    backend: Literal["console", "twilio"] = Field(
        default="console", description="`console` prints and keeps messages; `twilio` sends."
    )
    twilio_account_sid: str = Field(default="AC00000000000000000000000000000000")
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="Also the key that signs Twilio's status callbacks."
    )
    allow_console_in_production: bool = Field(
        default=False,
        description="Production refuses the console backend, which sends nothing, unless this "
        "is true (a staging system that must not text anyone).",
    )
    twilio_from_number: str = Field(default="+4759440000", description="Sender, E.164.")
    twilio_base_url: str = Field(
        default="https://api.twilio.com", description="Twilio API base; tests point it at a fake."
    )
    send_timeout_seconds: float = Field(default=10.0, gt=0)


class WorkerSettings(BaseModel):
    run_in_app: bool = Field(
        default=True, description="Run the escalation and SMS worker inside `odvarsel serve`."
    )
    wake_enabled: bool = Field(
        default=True,
        description="Wake the worker at once on new work (LISTEN/NOTIFY on PostgreSQL); "
        "off means pure polling, kept for benchmarks.",
    )
    poll_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    batch_size: int = Field(
        default=100, ge=1, le=1000, description="Escalations advanced per transaction."
    )
    send_concurrency: int = Field(
        default=16, ge=1, le=200, description="SMS claimed and sent side by side per round."
    )
    send_lease_seconds: float = Field(
        default=30.0, gt=0, description="A claimed SMS not marked sent by then is sent again."
    )
    max_send_attempts: int = Field(default=8, ge=1, le=50)
    ready_within_polls: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="/readyz answers 503 when no worker completed a round within this many "
        "poll intervals (plus one SMS send timeout, the longest a round may wait on Twilio).",
    )
    paging_window_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 366,
        description="An alert whose overdose is older than this is not paged to the person "
        "on duty; the team's leader is told instead (a backlog after an outage).",
    )


class WebhookSettings(BaseModel):
    """Webhooks to dispatch systems (app/webhooks): acknowledgements and answers, signed."""

    timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Per webhook request to a dispatch system."
    )
    max_attempts: int = Field(
        default=20,
        ge=1,
        le=100,
        description="Attempts (with backoff: 10 s, 30 s, 1 min, 5 min, 15 min, then hourly) "
        "before a delivery is given up as failed.",
    )
    max_age_hours: float = Field(
        default=72.0,
        gt=0,
        le=24 * 30,
        description="A delivery that fails when it is older than this is given up as failed.",
    )
    batch_size: int = Field(
        default=50, ge=1, le=1000, description="Deliveries claimed and posted side by side."
    )
    allowed_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        max_length=100,
        description="Private networks webhooks may go to, as JSON: '[\"10.20.0.0/16\"]' (a "
        "dispatch system inside the operator's network). Otherwise only public addresses, "
        "and loopback in development; never loopback or 0.0.0.0 in production.",
    )


class CryptoSettings(BaseModel):
    keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Encryption keys by key id, each 32 bytes as urlsafe base64 (AES-256-GCM). "
        "Keep old keys here while values encrypted with them remain.",
    )
    active_key_id: str | None = Field(
        default=None,
        description="The key id new values use; may be left out when CRYPTO__KEYS has one key.",
    )
    hash_key: SecretStr | None = Field(
        default=None, description="HMAC key for searchable hashes of national ids."
    )
    retired_hash_keys: list[SecretStr] = Field(
        default_factory=list,
        max_length=10,
        description="Former CRYPTO__HASH_KEY values, as a JSON list: lookups by national id, "
        "dispatch incident id and request content also try these, so rows not re-hashed "
        "(`odvarsel keys rotate --rehash`) are still found. Keep a key here while rows "
        "hashed under it matter (the report of the re-hash says how many are left).",
    )


class StaffAuthSettings(BaseModel):
    """How staff sign in on their phone (app/auth/staff): a one-time link by SMS (the default)
    or an OpenID Connect provider's tokens (the municipality's, or HelseID)."""

    mode: Literal["sms_link", "oidc"] = Field(
        default="sms_link",
        description="`sms_link`: a one-time link sent by SMS to the member's registered "
        "mobile; `oidc`: ID tokens of the provider below, checked against its key set.",
    )
    link_minutes: int = Field(
        default=15, ge=1, le=60, description="How long a sign-in link works (used once)."
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 7, description="How long a staff session lasts, at most."
    )
    oidc_issuer: _IssuerValue = Field(
        default=None, description="`iss` the provider's tokens must carry."
    )
    oidc_audience: _IssuerValue = Field(
        default=None, description="`aud` the tokens must carry (our client id)."
    )
    oidc_jwks_url: _JwksUrl = Field(
        default=None, description="The provider's key set (JWKS): https, or http on loopback only."
    )
    oidc_jwks_file: _JwksFile = None
    oidc_jwks_cache_minutes: _JwksCacheMinutes = 60
    oidc_claim: _ClaimName = Field(
        default="phone_number", description="The token claim that names the staff member."
    )
    oidc_match: Literal["mobile", "email"] = Field(
        default="mobile",
        description="What `oidc_claim` is matched against: the member's mobile (E.164) or email.",
    )

    @model_validator(mode="after")
    def _oidc_complete(self) -> StaffAuthSettings:
        if self.mode == "oidc":
            missing = _oidc_missing(
                "STAFF__OIDC_",
                self.oidc_issuer,
                self.oidc_audience,
                self.oidc_jwks_url or self.oidc_jwks_file,
            )
            if missing:
                raise ValueError(f"mode oidc needs {', '.join(missing)}")
        return self


class MetricsSettings(BaseModel):
    """Prometheus metrics (app/metrics): `/metrics` on the API, a port of its own on a worker
    run as its own process."""

    enabled: bool = Field(default=True, description="Serve /metrics on the API.")
    token: SecretStr | None = Field(
        default=None,
        description="When set, /metrics (the API's and a worker's) answers only "
        "`Authorization: Bearer <token>`; unset, it answers anyone who reaches it (keep it "
        "off the public proxy, as compose.yaml does).",
    )
    worker_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="`odvarsel worker` serves its own metrics (rounds, round durations) on "
        "this port at HOST; unset: not served.",
    )

    @model_validator(mode="after")
    def _long_token(self) -> MetricsSettings:
        if self.token is not None and len(self.token.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return self


Days = Annotated[int, Field(ge=1, le=3650)]
"""A retention period in days: at least one, at most ten years."""


class RetentionSettings(BaseModel):
    """How long what grows is kept (app/retention, docs/rules.md "Retention"): a case's
    identity after it closes, an alert's without a case after it came, the access log, and
    the housekeeping of links, sessions, deliveries, SMS bodies and counters. The case period
    is also a settings document per municipality (`retention`); these are the defaults."""

    case_days: Days = Field(
        default=90, description="A closed case's identifying data, after closing."
    )
    alert_days: Days = Field(
        default=90,
        description="An alert that opened no case: its identifying data, after it was received.",
    )
    access_log_days: int = Field(
        default=1826,
        ge=365,
        le=3650,
        description="The access log (who saw what), after each entry; five years by default.",
    )
    webhook_delivery_days: Days = Field(
        default=30, description="Delivered or failed webhooks, after they were made."
    )
    signin_link_days: Days = Field(
        default=7, description="Sign-in links (staff, reporters), after expiry."
    )
    session_days: Days = Field(
        default=30, description="Sessions (staff, reporters), after they expired."
    )
    outbox_body_days: Days = Field(
        default=30,
        description="A finished SMS's text and number are blanked this long after it was made.",
    )
    timeline_text_days: Days = Field(
        default=30,
        description="Free text answered to the crew (answers, timelines), after it was given.",
    )
    counter_grace_days: int = Field(
        default=0,
        ge=0,
        le=365,
        description="Rate-limit counters and used-once rows, this long after they expired.",
    )
    interval_minutes: float = Field(
        default=5.0, gt=0, le=24 * 60, description="The retention engine runs at most this often."
    )
    batch_size: int = Field(
        default=200, ge=1, le=5000, description="Rows purged per (short) transaction."
    )
