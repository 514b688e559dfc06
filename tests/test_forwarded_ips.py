"""FORWARDED_ALLOW_IPS is a setting: production refuses `*`, with which uvicorn believes any
client's X-Forwarded-For and every per-address limit could be reset; `serve` hands it on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from app import cli
from app.config import Settings, describe_validation_error, get_settings, load_settings
from app.config.checks import trusts_any_client
from app.config.errors import ConfigError
from app.config.sections import AuthSettings, CryptoSettings, SmsSettings
from app.privacy.crypto import generate_key

ODVARSEL = Path(sys.executable).parent / "odvarsel"
KEY = generate_key()
PRODUCTION_ENV = {
    "ENVIRONMENT": "production",
    "AUTH__JWT_SECRET": "jwt-secret-for-the-forwarded-tests-0123456789",
    "CRYPTO__KEYS": f'{{"k1": "{KEY}"}}',
    "CRYPTO__HASH_KEY": generate_key(),
    "SMS__ALLOW_CONSOLE_IN_PRODUCTION": "true",
}
REFUSED = (
    "FORWARDED_ALLOW_IPS: * (or a /0 network) lets every client write its own address in "
    "X-Forwarded-For and reset the per-address limits; refused in production: name the "
    "reverse proxy's addresses"
)


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name in PRODUCTION_ENV or name in ("FORWARDED_ALLOW_IPS", "DATA_DIR"):
            monkeypatch.delenv(name)


def production(forwarded_allow_ips: str) -> Settings:
    return Settings(
        environment="production",
        auth=AuthSettings(jwt_secret=SecretStr(PRODUCTION_ENV["AUTH__JWT_SECRET"])),
        crypto=CryptoSettings(
            keys={"k1": SecretStr(KEY)}, hash_key=SecretStr(PRODUCTION_ENV["CRYPTO__HASH_KEY"])
        ),
        sms=SmsSettings(allow_console_in_production=True),
        forwarded_allow_ips=forwarded_allow_ips,
    )


@pytest.mark.parametrize(
    ("value", "trusts_all"),
    [
        ("*", True),
        (" * ", True),
        ("10.0.0.5,*", True),
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("10.0.0.0/8, ::/0", True),
        ("127.0.0.1", False),
        ("127.0.0.1,::1", False),
        ("10.0.0.0/8,192.168.1.10", False),
        ("unix:/run/proxy.sock", False),
        ("10.0.0.1/8", False),  # no network to uvicorn: a literal no client address equals
        ("", False),
    ],
)
def test_which_values_believe_every_client(value: str, trusts_all: bool) -> None:
    assert trusts_any_client(value) is trusts_all


def test_production_refuses_a_star_and_development_takes_it() -> None:
    assert production("10.0.0.5,10.0.0.6").forwarded_allow_ips == "10.0.0.5,10.0.0.6"
    for value in ("*", "0.0.0.0/0"):
        with pytest.raises(ValidationError) as refused:
            production(value)
        assert describe_validation_error(refused.value) == [REFUSED]
    assert Settings(forwarded_allow_ips="*").forwarded_allow_ips == "*"
    assert Settings().forwarded_allow_ips == "127.0.0.1,::1", "uvicorn's own default"


def test_the_setting_is_read_from_uvicorns_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.1.2.3")
    assert load_settings().forwarded_allow_ips == "10.1.2.3"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert refused.value.problems == [REFUSED]


@pytest.mark.parametrize(
    "command",
    [
        [str(ODVARSEL), "serve", "--port", "0"],
        # The Docker image starts uvicorn itself; the factory reads the same variable.
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:app_from_env", "--port", "0"],
    ],
    ids=["serve", "uvicorn factory"],
)
def test_a_star_in_production_stops_the_server_at_start(command: list[str], tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    env = {**os.environ, **PRODUCTION_ENV, "FORWARDED_ALLOW_IPS": "*", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        command,
        env={**env, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"configuration error: {REFUSED}"]


def test_serve_hands_the_setting_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    monkeypatch.setattr(cli, "schema_problem", lambda _settings: None)  # no database here
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.1.2.3,10.1.2.4")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    [options] = started
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (True, "10.1.2.3,10.1.2.4")
