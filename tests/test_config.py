"""Configuration errors: one line per problem, naming the variable, never a value; production
refuses the console SMS backend; pool settings reach the engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from app.config import Settings, describe_validation_error, load_settings
from app.config.errors import ConfigError
from app.config.sections import AuthSettings, CryptoSettings, SmsSettings
from app.db import create_engine

ODVARSEL = Path(sys.executable).parent / "odvarsel"
# Fixed, so that "no part of it" can be checked without chance matches.
KEY = "Qm9yZ2h1bmQtVGVzdEtleS0wMTIzNDU2Nzg5YWJjZGU="
HASH_KEY = "SGFzaEtleS1mb3ItdGhlLWNvbmZpZy10ZXN0cy0wMDA="
JWT = "jwt-secret-for-the-config-tests-0123456789"
PRODUCTION = {
    "ENVIRONMENT": "production",
    "AUTH__JWT_SECRET": JWT,
    "CRYPTO__KEYS": f'{{"k1": "{KEY}"}}',
    "CRYPTO__HASH_KEY": HASH_KEY,
}
ENTRY_POINTS = {
    "serve": [str(ODVARSEL), "serve", "--port", "0"],
    "worker": [str(ODVARSEL), "worker"],
    "migrate": [str(ODVARSEL), "migrate"],
    "uvicorn factory": [
        sys.executable, "-m", "uvicorn", "--factory", "app.main:app_from_env",
        "--host", "127.0.0.1", "--port", "0",
    ],
}  # fmt: skip
SETTINGS_PREFIXES = (
    "ENVIRONMENT",
    "DATABASE_",
    "AUTH__",
    "HTTP__",
    "SMS__",
    "WORKER__",
    "CRYPTO__",
)


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith(SETTINGS_PREFIXES)]:
        monkeypatch.delenv(name)


def run(
    command: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Runs an entry point with only `env` as settings; a config error ends it at once."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
    settings = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    return subprocess.run(
        command,
        env={**base, **settings, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def fragments(secret: str, size: int = 6) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def test_serve_in_production_refuses_the_console_backend_in_one_line(tmp_path: Path) -> None:
    result = run(ENTRY_POINTS["serve"], PRODUCTION, tmp_path)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "configuration error: SMS__BACKEND: console sends no SMS and is refused in production; "
        "use twilio, or set SMS__ALLOW_CONSOLE_IN_PRODUCTION=true to text nobody"
    ]
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_config_error_prints_no_part_of_a_key(entry_point: str, tmp_path: Path) -> None:
    # Before: pydantic's input_value showed the end of CRYPTO__KEYS for any model-level error.
    env = {**PRODUCTION, "AUTH__JWT_SECRET": "too short", "CRYPTO__HASH_KEY": "nope" + KEY[:20]}

    result = run(ENTRY_POINTS[entry_point], env, tmp_path)

    assert result.returncode == 2, result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.stderr.splitlines() == [
        "configuration error: SMS__BACKEND: console sends no SMS and is refused in production; "
        "use twilio, or set SMS__ALLOW_CONSOLE_IN_PRODUCTION=true to text nobody",
        "configuration error: AUTH__JWT_SECRET: must be at least 32 characters",
        "configuration error: CRYPTO__HASH_KEY: a key is 32 bytes as urlsafe base64 "
        "(43-44 characters)",
    ]
    leaked = {part for part in fragments(KEY) | fragments("too short", 4) if part in output}
    assert not leaked


def test_undecodable_json_names_the_section_not_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRYPTO__KEYS", '{"k1": "' + KEY)  # unterminated

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert raised.value.problems == [
        "CRYPTO__*: cannot be parsed (dict settings such as CRYPTO__KEYS are JSON)"
    ]
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_type_errors_name_the_variable_and_leave_the_value_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("CRYPTO__KEYS", '{"k1": 12345678}')

    with pytest.raises(ConfigError) as raised:
        load_settings()

    assert sorted(raised.value.problems) == [
        "CRYPTO__KEYS['k1']: Input should be a valid string",
        "PORT: Input should be a valid integer, unable to parse string as an integer",
    ]
    assert "eighty" not in str(raised.value) and "12345678" not in str(raised.value)


def production(**sms: object) -> Settings:
    return Settings(
        environment="production",
        auth=AuthSettings(jwt_secret=SecretStr(JWT)),
        crypto=CryptoSettings(keys={"k1": SecretStr(KEY)}, hash_key=SecretStr(HASH_KEY)),
        sms=SmsSettings.model_validate(sms),
    )


def test_production_may_run_the_console_backend_only_when_allowed() -> None:
    assert production(allow_console_in_production=True).sms.backend == "console"
    assert production(backend="twilio", twilio_auth_token="t").sms.backend == "twilio"
    with pytest.raises(ValidationError) as raised:
        production()
    assert [line.partition(":")[0] for line in describe_validation_error(raised.value)] == [
        "SMS__BACKEND"
    ]


def test_the_twilio_backend_needs_its_auth_token() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(sms=SmsSettings(backend="twilio"))
    assert describe_validation_error(raised.value) == [
        "SMS__TWILIO_AUTH_TOKEN: must be set for the twilio backend"
    ]


def test_every_missing_production_secret_is_its_own_line() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(environment="production", sms=SmsSettings(allow_console_in_production=True))
    assert describe_validation_error(raised.value) == [
        "AUTH__JWT_SECRET: must be set in production",
        "CRYPTO__KEYS: must be set in production",
        "CRYPTO__HASH_KEY: must be set in production",
    ]


async def test_pool_size_and_overflow_are_settings() -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"  # never connected to
    default = create_engine(Settings(database_url=url))
    tuned = create_engine(Settings(database_url=url, database_pool_size=3, database_max_overflow=0))
    try:
        assert (default.pool.size(), default.pool._max_overflow) == (5, 5)  # type: ignore[attr-defined]
        assert (tuned.pool.size(), tuned.pool._max_overflow) == (3, 0)  # type: ignore[attr-defined]
    finally:
        await default.dispose()
        await tuned.dispose()


@pytest.mark.parametrize(
    ("environment", "base"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8004"}, "http://127.0.0.1:8004"),
        ({"HOST": "0.0.0.0", "PORT": "8004"}, "http://127.0.0.1:8004"),
        ({"HOST": "192.0.2.7"}, "http://192.0.2.7:8000"),
        ({"PORT": "8004", "HTTP__PUBLIC_BASE_URL": "https://odv.no"}, "https://odv.no"),
    ],
)
def test_the_sms_links_follow_the_port_unless_a_base_is_set(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], base: str
) -> None:
    """Issue 21: `PORT=8004 make run` texted links to :8000."""
    for name in ("HOST", "PORT", "HTTP__PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert load_settings().http.public_base_url == base


def test_pool_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "2")
    settings = load_settings()
    assert (settings.database_pool_size, settings.database_max_overflow) == (7, 2)
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")
    with pytest.raises(ConfigError, match="DATABASE_POOL_SIZE: Input should be greater than"):
        load_settings()
