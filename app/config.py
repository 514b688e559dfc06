"""All settings of the service, read from the environment in one place.

Nested sections use a double underscore: ``AUTH__JWT_SECRET``, ``SMS__BACKEND``.
In ``development`` (the default, used by ``make run`` and the tests) missing secrets are
generated once and kept in ``var/dev-secrets.json`` so tokens survive a restart; in
``production`` every secret must be given explicitly or the service refuses to start.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


# An SMS link is the base URL, "/a/" and a 12-character key; texts keep links to 48 septets
# so an SMS stays one segment (app.notify.texts.MAX_LINK_SEPTETS).
MAX_PUBLIC_BASE_URL_LENGTH = 48 - len("/a/") - 12


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


class CryptoSettings(BaseModel):
    keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Encryption keys by key id, each 32 bytes as urlsafe base64 (AES-256-GCM). "
        "Keep old keys here while values encrypted with them remain.",
    )
    active_key_id: str | None = Field(default=None, description="The key id new values use.")
    hash_key: SecretStr | None = Field(
        default=None, description="HMAC key for searchable hashes of national ids."
    )


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
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = DEFAULT_DATA_DIR
    log_level: str = "INFO"
    log_json: bool = True
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    intake: IntakeSettings = IntakeSettings()
    sms: SmsSettings = SmsSettings()
    worker: WorkerSettings = WorkerSettings()
    crypto: CryptoSettings = CryptoSettings()

    @model_validator(mode="after")
    def _require_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            missing = [
                name
                for name, value in (
                    ("AUTH__JWT_SECRET", self.auth.jwt_secret),
                    ("CRYPTO__KEYS", self.crypto.keys or None),
                    ("CRYPTO__ACTIVE_KEY_ID", self.crypto.active_key_id),
                    ("CRYPTO__HASH_KEY", self.crypto.hash_key),
                )
                if value is None
            ]
            if missing:
                raise ValueError(f"must be set in production: {', '.join(missing)}")
        if self.auth.jwt_secret is not None and len(self.auth.jwt_secret.get_secret_value()) < 32:
            raise ValueError("AUTH__JWT_SECRET must be at least 32 characters")
        return self

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
