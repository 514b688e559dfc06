"""All settings of the service, read from the environment in one place.

Nested sections use a double underscore: ``AUTH__JWT_SECRET``, ``SMS__BACKEND``.
In ``development`` (the default, used by ``make run`` and the tests) missing secrets are
generated once and kept in ``var/dev-secrets.json`` so tokens survive a restart; in
``production`` every secret must be given explicitly or the service refuses to start.

The one `Settings` class and `get_settings` are here; the package holds the sections
(`sections.py`), the checks across them and those the domains hand in (`checks.py`), and the
error the entry points report (`errors.py`). Nothing else reads the environment.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from app.config.checks import problems_of
from app.config.errors import ConfigError
from app.config.sections import (
    AuthSettings,
    ClientOidcSettings,
    CryptoSettings,
    HttpSettings,
    IntakeSettings,
    LinkSettings,
    MetricsSettings,
    RetentionSettings,
    SmsSettings,
    StaffAuthSettings,
    WebhookSettings,
    WorkerSettings,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "var"
"""The project's var/ (where `make run` keeps its database), wherever a command is run from:
a relative default would leave a stray ./var in every folder the CLI is run in."""


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
        description="SQLAlchemy async URL: sqlite+aiosqlite:///... or postgresql+asyncpg://...; "
        "default: odvarsel.db in DATA_DIR.",
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
    client_oidc: ClientOidcSettings = ClientOidcSettings()
    metrics: MetricsSettings = MetricsSettings()
    retention: RetentionSettings = RetentionSettings()

    @model_validator(mode="before")
    @classmethod
    def _database_in_data_dir(cls, data: Any) -> Any:
        """Without DATABASE_URL, the SQLite database is in DATA_DIR."""
        if isinstance(data, dict) and not data.get("database_url"):
            data_dir = Path(data.get("data_dir") or DEFAULT_DATA_DIR)
            data = {**data, "database_url": f"sqlite+aiosqlite:///{data_dir}/odvarsel.db"}
        return data

    @model_validator(mode="before")
    @classmethod
    def _links_follow_the_port(cls, data: Any) -> Any:
        """Without `HTTP__PUBLIC_BASE_URL` the SMS links point at this server itself,
        `http://<HOST>:<PORT>` (127.0.0.1 for a wildcard host), so `PORT=8004 make run`
        links to :8004, not to the default :8000 (issue 21)."""
        if not isinstance(data, dict) or isinstance(data.get("http"), BaseModel):
            return data
        http = dict(data.get("http") or {})
        port = str(data.get("port") or 8000)
        if http.get("public_base_url") or not port.isdigit():
            return data
        host = str(data.get("host") or "127.0.0.1")
        wildcard = host in ("0.0.0.0", "::")  # noqa: S104 (listening everywhere: link to loopback)
        host = "127.0.0.1" if wildcard else f"[{host}]" if ":" in host else host
        return {**data, "http": {**http, "public_base_url": f"http://{host}:{port}"}}

    @model_validator(mode="after")
    def _check(self) -> Settings:
        """Cross-field and handed-in checks (`app.config.checks`); each problem is one
        "VARIABLE: reason" line, never a value."""
        problems = problems_of(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

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


@lru_cache
def get_settings() -> Settings:
    return load_settings()
