"""All settings of the service, read from the environment in one place.

Nested sections use a double underscore: ``AUTH__JWT_SECRET``, ``SMS__BACKEND``.
In ``development`` (the default, used by ``make run`` and the tests) missing secrets are
generated once and kept in ``var/dev-secrets.json`` so tokens survive a restart; in
``production`` every secret must be given explicitly or the service refuses to start.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import secrets
import sys
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from app.notify.links import MAX_BASE_URL_LENGTH as MAX_PUBLIC_BASE_URL_LENGTH
from app.privacy.crypto import KeyConfigError, decode_key
from app.webhooks.addresses import touches_this_machine

DEFAULT_DATA_DIR = Path("var")


class AuthSettings(BaseModel):
    jwt_secret: SecretStr | None = Field(
        default=None, description="HMAC key that signs access tokens (at least 32 bytes)."
    )
    issuer: str = Field(default="odvarsel", description="`iss` claim of issued tokens.")
    audience: str = Field(default="odvarsel-api", description="`aud` claim of issued tokens.")
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)


class HttpSettings(BaseModel):
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Larger request bodies are refused with 413."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        max_length=MAX_PUBLIC_BASE_URL_LENGTH,
        pattern=r"^https?://[^\s/]+$",
        description="Base of links sent to staff by SMS: scheme and host only, at most 33 "
        "characters, so every SMS stays one segment.",
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
    oidc_issuer: str | None = Field(
        default=None, max_length=500, description="`iss` the provider's tokens must carry."
    )
    oidc_audience: str | None = Field(
        default=None, max_length=500, description="`aud` the tokens must carry (our client id)."
    )
    oidc_jwks_url: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^(https://\S+|http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/\S*)?)$",
        description="The provider's key set (JWKS): https, or http on loopback only.",
    )
    oidc_jwks_file: Path | None = Field(
        default=None, description="The key set as a JSON file, instead of fetching it."
    )
    oidc_jwks_cache_minutes: int = Field(
        default=60, ge=1, le=24 * 60, description="How long a fetched key set is used."
    )
    oidc_claim: str = Field(
        default="phone_number",
        min_length=1,
        max_length=100,
        description="The token claim that names the staff member.",
    )
    oidc_match: Literal["mobile", "email"] = Field(
        default="mobile",
        description="What `oidc_claim` is matched against: the member's mobile (E.164) or email.",
    )

    @model_validator(mode="after")
    def _oidc_complete(self) -> StaffAuthSettings:
        if self.mode == "oidc":
            missing = [
                name
                for name, value in (
                    ("STAFF__OIDC_ISSUER", self.oidc_issuer),
                    ("STAFF__OIDC_AUDIENCE", self.oidc_audience),
                    (
                        "STAFF__OIDC_JWKS_URL or STAFF__OIDC_JWKS_FILE",
                        self.oidc_jwks_url or self.oidc_jwks_file,
                    ),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"mode oidc needs {', '.join(missing)}")
        return self


class Settings(BaseSettings):
    """The one settings object; build it with :func:`get_settings` or pass one to create_app."""

    model_config = SettingsConfigDict(
        env_nested_delimiter="__",
        env_file=None,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR}/odvarsel.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///... or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(
        default=5,
        ge=1,
        le=100,
        description="PostgreSQL connections each process keeps open (SQLAlchemy pool_size).",
    )
    database_max_overflow: int = Field(
        default=5,
        ge=0,
        le=100,
        description="Connections a process may open beyond the pool under load; every "
        "process may hold pool size + overflow, and a worker one more for LISTEN.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        max_length=2000,
        description="Comma-separated addresses or networks of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto uvicorn believes. `*` believes every client "
        "about its own address (so per-address limits reset at will): refused in production.",
    )
    data_dir: Path = DEFAULT_DATA_DIR
    log_level: str = "INFO"
    log_json: bool = True
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    links: LinkSettings = LinkSettings()
    intake: IntakeSettings = IntakeSettings()
    sms: SmsSettings = SmsSettings()
    worker: WorkerSettings = WorkerSettings()
    webhooks: WebhookSettings = WebhookSettings()
    crypto: CryptoSettings = CryptoSettings()
    staff: StaffAuthSettings = StaffAuthSettings()

    @model_validator(mode="after")
    def _check(self) -> Settings:
        """Cross-field checks; each problem is one "VARIABLE: reason" line, never a value."""
        problems = self._problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _problems(self) -> list[str]:
        problems: list[str] = []
        production = self.environment == "production"
        keys, active = self.crypto.keys, self.crypto.active_key_id
        if production:
            for name, value in (
                ("AUTH__JWT_SECRET", self.auth.jwt_secret),
                ("CRYPTO__KEYS", keys or None),
                ("CRYPTO__HASH_KEY", self.crypto.hash_key),
            ):
                if value is None:
                    problems.append(f"{name}: must be set in production")
            if self.sms.backend == "console" and not self.sms.allow_console_in_production:
                problems.append(
                    "SMS__BACKEND: console sends no SMS and is refused in production; use "
                    "twilio, or set SMS__ALLOW_CONSOLE_IN_PRODUCTION=true to text nobody"
                )
            if trusts_any_client(self.forwarded_allow_ips):
                problems.append(
                    "FORWARDED_ALLOW_IPS: * (or a /0 network) lets every client write its own "
                    "address in X-Forwarded-For and reset the per-address limits; refused in "
                    "production: name the reverse proxy's addresses"
                )
            if any(touches_this_machine(n) for n in self.webhooks.allowed_networks):
                problems.append(
                    "WEBHOOKS__ALLOWED_NETWORKS: must not hold loopback or 0.0.0.0 in "
                    "production (webhooks would reach this machine)"
                )
        if self.sms.backend == "twilio" and self.sms.twilio_auth_token is None:
            problems.append("SMS__TWILIO_AUTH_TOKEN: must be set for the twilio backend")
        if self.auth.jwt_secret is not None and len(self.auth.jwt_secret.get_secret_value()) < 32:
            problems.append("AUTH__JWT_SECRET: must be at least 32 characters")
        for key_id, key in keys.items():
            try:
                decode_key(key.get_secret_value())
            except KeyConfigError as exc:  # the message names the format, never the key
                problems.append(f"CRYPTO__KEYS: key id {key_id!r}: {exc}")
        if len(keys) > 1 and active is None:
            problems.append(
                "CRYPTO__ACTIVE_KEY_ID: must be set when CRYPTO__KEYS has more than one key"
            )
        from app.privacy.keys import DEV_KEY_ID  # here: app.privacy.keys imports this module

        generated = not keys and not production
        if active is not None and active not in (set(keys) or {DEV_KEY_ID}):
            problems.append(
                "CRYPTO__ACTIVE_KEY_ID: must name a key id of CRYPTO__KEYS"
                + (f" (or be {DEV_KEY_ID!r}, the generated development key)" if generated else "")
            )
        if self.crypto.hash_key is not None:
            try:
                decode_key(self.crypto.hash_key.get_secret_value())
            except KeyConfigError as exc:
                problems.append(f"CRYPTO__HASH_KEY: {exc}")
        return problems

    @property
    def worker_ready_within(self) -> timedelta:
        """How recent a worker's last completed round must be for /readyz."""
        return timedelta(
            seconds=self.worker.ready_within_polls * self.worker.poll_interval_seconds
            + self.sms.send_timeout_seconds
        )

    @property
    def docs_enabled(self) -> bool:
        """Whether /docs and /redoc are served: off in production unless enabled."""
        if self.http.docs_enabled is not None:
            return self.http.docs_enabled
        return self.environment != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def jwt_secret(self) -> str:
        """The signing key; in development one is generated and kept under ``data_dir``."""
        if self.auth.jwt_secret is not None:
            return self.auth.jwt_secret.get_secret_value()
        return _dev_secret(self.data_dir, "jwt_secret")

    def dev_secret(self, name: str, generate: Callable[[], str]) -> str:
        """A development secret kept under ``data_dir``, made by `generate` on first use.

        Refused in production, where every secret must be configured.
        """
        if self.environment == "production":
            raise ValueError(f"no generated secrets in production: configure {name}")
        return _dev_secret(self.data_dir, name, generate)


def trusts_any_client(forwarded_allow_ips: str) -> bool:
    """Whether uvicorn, given this FORWARDED_ALLOW_IPS, would believe the forwarded headers
    of any client: a `*` entry, or a network of every address (`0.0.0.0/0`, `::/0`)."""
    for entry in (part.strip() for part in forwarded_allow_ips.split(",")):
        if entry == "*":
            return True
        with contextlib.suppress(ValueError):  # uvicorn takes what is no network as a literal
            if "/" in entry and ipaddress.ip_network(entry).prefixlen == 0:
                return True
    return False


def _dev_secret(
    data_dir: Path, name: str, generate: Callable[[], str] = lambda: secrets.token_urlsafe(48)
) -> str:
    path = data_dir / "dev-secrets.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = generate()
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored[name]


class ConfigError(Exception):
    """Settings that cannot be used: one line per problem, naming the variable, never a value.

    Entry points print :attr:`problems` and exit non-zero without a traceback
    (:func:`app.cli.main`, :func:`app.main.app_from_env`).
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


_SECTIONS = {
    name
    for name, field in Settings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
}


def _variable(loc: tuple[int | str, ...]) -> str:
    """The environment variable an error location belongs to: ("auth", "jwt_secret") ->
    AUTH__JWT_SECRET; what lies below it (a key id) follows in brackets."""
    head = 2 if loc and loc[0] in _SECTIONS and len(loc) > 1 else 1
    name = "__".join(str(part).upper() for part in loc[:head])
    return name + "".join(f"[{part!r}]" for part in loc[head:])


def describe_validation_error(exc: ValidationError) -> list[str]:
    """One "VARIABLE: reason" line per error; pydantic's input values are left out."""
    problems: list[str] = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        message = error["msg"].removeprefix("Value error, ")
        if error["loc"]:
            problems.append(f"{_variable(error['loc'])}: {message}")
        else:  # Settings._check: already one "VARIABLE: reason" per line
            problems.extend(message.splitlines())
    return problems


def load_settings() -> Settings:
    """Settings from the environment, or :class:`ConfigError` listing every problem."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None
    except SourceError as exc:
        # pydantic-settings could not decode a variable (JSON of CRYPTO__KEYS, say); its
        # message names the field, and its cause may hold the value, so only the field is kept.
        field = str(exc).partition('field "')[2].partition('"')[0].upper() or "a setting"
        prefix = f"{field}__*" if field in {s.upper() for s in _SECTIONS} else field
        raise ConfigError(
            [f"{prefix}: cannot be parsed (dict settings such as CRYPTO__KEYS are JSON)"]
        ) from None


def report_config_error(exc: ConfigError) -> None:
    """Prints each problem as one line on stderr (the caller exits non-zero)."""
    for problem in exc.problems:
        print(f"configuration error: {problem}", file=sys.stderr, flush=True)


@lru_cache
def get_settings() -> Settings:
    return load_settings()
