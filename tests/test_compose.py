"""compose.yaml: the services of the demo deployment, how they start, what they publish.

Docker is not needed: the file is read as YAML and checked here; where `docker compose`
answers, it validates the file too (`docker compose config`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from app.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
APP_SERVICES = ("migrate", "api-1", "api-2", "worker-1", "worker-2")
INSTANCES = ("api-1", "api-2", "worker-1", "worker-2")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def test_the_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"postgres", "proxy", *APP_SERVICES}
    for name in APP_SERVICES:
        assert services[name]["build"] == ".", name
        assert services[name]["image"] == "odvarsel:local", name
    assert (ROOT / "Dockerfile").is_file()
    assert re.fullmatch(r"postgres:\d+-alpine", services["postgres"]["image"])
    assert re.fullmatch(r"caddy:2-alpine", services["proxy"]["image"])
    for name in ("worker-1", "worker-2"):
        assert services[name]["command"] == ["odvarsel", "worker"]
    for name in ("api-1", "api-2"):
        assert "command" not in services[name], "the image's uvicorn command"
    migrate = " ".join(services["migrate"]["command"])
    assert "odvarsel migrate && odvarsel seed-demo" in migrate
    assert services["migrate"]["restart"] == "no"


def test_the_order_of_start(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in INSTANCES:
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
    assert services["proxy"]["depends_on"] == {
        "api-1": {"condition": "service_healthy"},
        "api-2": {"condition": "service_healthy"},
    }


def test_every_long_running_service_has_a_healthcheck(
    services: dict[str, dict[str, Any]],
) -> None:
    probes = {
        "postgres": "pg_isready",
        "api-1": "http://127.0.0.1:8000/healthz",
        "api-2": "http://127.0.0.1:8000/healthz",
        "worker-1": "http://127.0.0.1:9100/metrics",
        "worker-2": "http://127.0.0.1:9100/metrics",
        "proxy": "https://localhost/healthz",
    }
    for name, probe in probes.items():
        test = services[name]["healthcheck"]["test"]
        assert test[0] == "CMD" and probe in " ".join(test), name
    assert services["migrate"]["healthcheck"] == {"disable": True}, "a one-shot"


def test_only_the_proxy_is_published_and_only_on_loopback(
    services: dict[str, dict[str, Any]],
) -> None:
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert published == {"proxy": ["127.0.0.1:8443:443"]}
    assert not any("network_mode" in s or "expose" in s for s in services.values())


def test_the_proxy_terminates_tls_for_both_apis_and_trusts_no_one_else(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    caddyfile = CADDYFILE.read_text()
    assert "tls internal" in caddyfile
    assert re.search(r"reverse_proxy api-1:8000 api-2:8000\b", caddyfile)
    assert "respond /metrics 404" in caddyfile, "metrics stay on the internal network"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    subnet = compose["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    assert address.rsplit(".", 1)[0] == subnet.rsplit(".", 1)[0]
    for name in INSTANCES:
        assert services[name]["environment"]["FORWARDED_ALLOW_IPS"] == address, name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_environment_is_valid_settings(
    name: str, services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every variable names a setting, and together they load (a typo would be ignored)."""
    environment: dict[str, str] = services[name]["environment"]
    for variable, value in environment.items():
        section, _, field = variable.lower().partition("__")
        if field:
            model = Settings.model_fields[section].annotation
            assert isinstance(model, type) and issubclass(model, BaseModel), variable
            assert field in model.model_fields, variable
        else:
            assert section in Settings.model_fields, variable
        monkeypatch.setenv(variable, str(value))
    settings = load_settings()
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert not settings.worker.run_in_app, "the workers run as processes of their own"
    assert settings.http.public_base_url == "https://localhost:8443"


def test_the_instances_share_the_data_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    for name in APP_SERVICES:
        assert services[name]["volumes"] == ["app-data:/var/lib/odvarsel"], name
    assert set(compose["volumes"]) == {"postgres-data", "app-data", "caddy-data", "caddy-config"}


def _docker_compose() -> list[str] | None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return command
    return None


@pytest.mark.skipif(_docker_compose() is None, reason="docker compose is not installed")
def test_docker_compose_validates_the_file() -> None:
    command = _docker_compose()
    assert command is not None
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
