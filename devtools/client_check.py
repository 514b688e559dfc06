"""A Python client generated from openapi/openapi.json posts, reads and supplements an alert.

    .venv/bin/python -m devtools.client_check [--spec openapi/openapi.json] [--keep DIR]

An integrator's first step is to generate a client from the document; this check takes it. It
runs openapi-python-client on the checked-in document and fails if the generator warns (a
schema it cannot read is dropped with every schema and operation that uses it: two schemas
titled alike once cost the client `AlertIn` and `createAlert`) or if any operation of the
document has no function in the client. Then, as schemathesis_run does, it migrates a fresh
SQLite database in a temporary directory, seeds the demo data, creates a client with
`alerts:write` and `alerts:read`, starts ``odvarsel serve`` on 127.0.0.1, and with the
generated package alone (its functions and its model classes) fetches a token, posts an alert,
posts it again (the retry answers the same alert), reads it and supplements it, asserting
each answer.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from app.auth.scopes import Scope
from app.clock import SystemClock
from devtools.loopback import free_port
from devtools.schemathesis_run import BIN, SETTINGS_PREFIXES, odvarsel, wait_ready

PACKAGE = "odvarsel_client"
SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
GENERATOR_CONFIG = """\
# The two media types openapi-python-client cannot read, mapped to ones it can, so that every
# operation is generated. The rota import's iCalendar body is then sent as it is, with
# Content-Type: text/calendar (the function types it `str` but reads `.payload`: pass a
# `File(payload=io.BytesIO(ics))`); Twilio's TwiML answer is read as text.
content_type_overrides:
  text/calendar: application/octet-stream
  application/xml: text/xml
# The generator would format its output with ruff; the check does not need it formatted.
post_hooks: []
"""
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
MUNICIPALITY = "3107"
"""The demo municipality (Fredrikstad) that seed-demo serves."""


def generate(spec: Path, output: Path) -> None:
    """The client package in `output`; fails on any warning of the generator."""
    config = output.parent / "openapi-python-client.yaml"
    config.write_text(GENERATOR_CONFIG)
    command = [
        str(BIN / "openapi-python-client"), "generate",
        "--path", str(spec),
        "--output-path", str(output),
        "--meta", "none",
        "--config", str(config),
        "--fail-on-warning",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0 or not (output / "__init__.py").is_file():
        raise SystemExit(
            f"openapi-python-client failed (exit {done.returncode}): every warning means a "
            f"schema or an operation is missing from the client\n{done.stdout}{done.stderr}"
        )


def snake_case(operation_id: str) -> str:
    """`createAlertSupplement` -> `create_alert_supplement`, the generator's module name."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def operation_ids(spec: dict[str, Any]) -> list[str]:
    return [
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def missing_operations(spec: dict[str, Any], output: Path) -> list[str]:
    """Operation ids of the document with no module (with `sync_detailed`) in the client."""
    generated = {
        module.stem
        for module in (output / "api").glob("*/*.py")
        if "def sync_detailed(" in module.read_text()
    }
    return [op_id for op_id in operation_ids(spec) if snake_case(op_id) not in generated]


def create_client(env: dict[str, str]) -> tuple[str, str]:
    """A dispatch system's client: it may post alerts and read their status, nothing else."""
    out = odvarsel(
        env,
        "create-client",
        "--name", "Generated Python client",
        "--municipality", MUNICIPALITY,
        "--scope", Scope.ALERTS_WRITE.value,
        "--scope", Scope.ALERTS_READ.value,
    )  # fmt: skip
    found = dict(re.findall(r"^(client_id|client_secret)=(\S+)$", out, re.MULTILINE))
    return found["client_id"], found["client_secret"]


@contextlib.contextmanager
def serving(env: dict[str, str], base_url: str, log_path: Path) -> Iterator[None]:
    """``odvarsel serve`` until the block exits; its log is printed if it ended badly."""
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 (our own command)
            [str(BIN / "odvarsel"), "serve"], env=env, stdout=log, stderr=log
        )
    try:
        wait_ready(base_url, server)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.returncode not in (0, -15):
            print(log_path.read_text(errors="replace")[-5000:], file=sys.stderr)


def _check(condition: bool, what: str, answer: Any) -> None:
    # Not `assert`: the check must hold under `python -O` as well.
    if not condition:
        raise SystemExit(f"client check failed: {what}\n  answer: {answer!r}")


def _api(module: str) -> Any:
    """A generated operation module, e.g. `alerts.create_alert`."""
    return importlib.import_module(f"{PACKAGE}.api.{module}")


def _models() -> Any:
    return importlib.import_module(f"{PACKAGE}.models")


def authenticated(client_package: ModuleType, base_url: str, client_id: str, secret: str) -> Any:
    """An `AuthenticatedClient` with a token from createAccessToken."""
    models = _models()
    public = client_package.Client(base_url=base_url, raise_on_unexpected_status=True)
    answer = _api("auth.create_access_token").sync_detailed(
        client=public,
        body=models.BodyCreateAccessToken(
            grant_type="client_credentials", client_id=client_id, client_secret=secret
        ),
    )
    _check(answer.status_code == 200, "createAccessToken answers 200", answer)
    _check(isinstance(answer.parsed, models.TokenResponse), "a TokenResponse", answer.parsed)
    return client_package.AuthenticatedClient(
        base_url=base_url, token=answer.parsed.access_token, raise_on_unexpected_status=True
    )


def post_and_read(client: Any) -> Any:
    """createAlert, the same again, getAlert; the alert as created."""
    models = _models()
    alert_in = models.AlertIn(
        dispatch_incident_id=f"CLIENT-CHECK-{uuid.uuid4().hex[:12]}",
        occurred_at=SystemClock().now() - timedelta(minutes=5),
        municipality=MUNICIPALITY,
        kind=models.AlertKind.NON_FATAL,
        severity=models.Severity(unconscious=True, breathing_stopped=True),
        clinical=models.Clinical(outcome=models.Outcome.DECLINED_TRANSPORT),
        consent=models.Consent(state=models.ConsentState.NOT_ASKED),
    )
    created = _api("alerts.create_alert").sync_detailed(client=client, body=alert_in)
    _check(created.status_code == 201, "createAlert answers 201", created)
    alert = created.parsed
    _check(isinstance(alert, models.AlertOut), "createAlert gives an AlertOut", alert)
    _check(
        alert.dispatch_incident_id == alert_in.dispatch_incident_id
        and alert.municipality == MUNICIPALITY
        and alert.version == 1,
        "the alert as posted, version 1",
        alert,
    )
    _check(
        any(
            isinstance(entry, models.TimelineEntry) and entry.kind == models.AlertEventKind.RECEIVED
            for entry in alert.timeline
        ),
        "the timeline starts with `received`",
        alert.timeline,
    )
    retried = _api("alerts.create_alert").sync_detailed(client=client, body=alert_in)
    _check(
        retried.status_code == 200 and retried.parsed.id == alert.id,
        "a retry answers 200 with the same alert",
        retried,
    )
    read = _api("alerts.get_alert").sync_detailed(alert.id, client=client)
    _check(
        read.status_code == 200
        and isinstance(read.parsed, models.AlertOut)
        and read.parsed.id == alert.id,
        "getAlert answers 200 with the posted alert",
        read,
    )
    return alert


def supplement_and_read(client: Any, alert: Any) -> None:
    """createAlertSupplement (the outcome and where the person went), then getAlert."""
    models = _models()
    supplement = models.SupplementIn(
        supplement_id=f"{alert.dispatch_incident_id}-2",
        clinical=models.Clinical(outcome=models.Outcome.TRANSPORTED),
        destination=models.Destination(
            type_=models.DestinationType.HOSPITAL, name="Sykehuset Østfold Kalnes, Akuttmottak"
        ),
    )
    supplemented = _api("alerts.create_alert_supplement").sync_detailed(
        alert.id, client=client, body=supplement
    )
    _check(supplemented.status_code == 201, "createAlertSupplement answers 201", supplemented)
    result = supplemented.parsed
    _check(isinstance(result, models.SupplementOut), "a SupplementOut", result)
    _check(
        result.version == 2
        and result.alert.id == alert.id
        and {"clinical.outcome", "destination.type", "destination.name"} <= set(result.changed),
        "version 2 of the same alert, with the outcome and the destination changed",
        result,
    )
    reread = _api("alerts.get_alert").sync_detailed(alert.id, client=client)
    _check(
        reread.status_code == 200
        and reread.parsed.version == 2
        and any(e.kind == models.AlertEventKind.SUPPLEMENTED for e in reread.parsed.timeline),
        "getAlert shows version 2 and `supplemented` in the timeline",
        reread.parsed,
    )


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="odvarsel-client-check-") as tmp:
        directory = Path(args.keep or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        output = directory / PACKAGE
        if output.exists():
            raise SystemExit(f"{output} exists: give --keep an empty directory")
        generate(args.spec, output)
        spec = json.loads(args.spec.read_text())
        missing = missing_operations(spec, output)
        if missing:
            raise SystemExit(f"operations missing from the generated client: {missing}")
        port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
        env = {
            **base,
            "DATABASE_URL": f"sqlite+aiosqlite:///{directory}/client-check.db",
            "DATA_DIR": str(directory),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        odvarsel(env, "migrate")
        odvarsel(env, "seed-demo")
        client_id, secret = create_client(env)
        base_url = f"http://127.0.0.1:{port}"
        sys.path.insert(0, str(directory))
        try:
            client_package = importlib.import_module(PACKAGE)
            with serving(env, base_url, directory / "serve.log"):
                # Only the generated code talks HTTP from here on.
                client = authenticated(client_package, base_url, client_id, secret)
                supplement_and_read(client, post_and_read(client))
        finally:
            sys.path.remove(str(directory))
        print(
            f"generated client: all {len(operation_ids(spec))} operations; createAccessToken, "
            "createAlert, getAlert and createAlertSupplement answered as expected"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, default=SPEC, help="the OpenAPI document")
    parser.add_argument(
        "--keep",
        type=Path,
        help="generate into this directory and keep it (default: a temporary one)",
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
