"""Schemathesis against the real service: every operation, a short run, on a fresh database.

    .venv/bin/python -m devtools.schemathesis_run --database sqlite
    .venv/bin/python -m devtools.schemathesis_run --database postgresql --max-examples 5

It migrates a new database (a file in a temporary directory, or a new PostgreSQL database
that is dropped afterwards), seeds the demo data, creates a client holding every scope,
starts ``odvarsel serve`` on 127.0.0.1, fetches a token and runs ``schemathesis run`` on the
served OpenAPI document with that token. The run fails on any 5xx answer
(not_a_server_error), on any status code the document does not list for the operation
(status_code_conformance), on a request that breaks the document's schema but is accepted
(negative_data_rejection, ST201: the alert's lenient fields say in the document that they
take any value), on an undeclared method not answered 405 with `Allow`
(unsupported_method, ST204), and on an OPTIONS `Allow` that differs from the methods the
document declares for the path (allow_header_conformance, ST205). Arguments after ``--`` go
to schemathesis unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from app.auth.scopes import Scope
from devtools.loopback import free_port

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "allow_header_conformance",
    )
)
# Settings of the service under test come only from here, never from the caller's shell.
SETTINGS_PREFIXES = (
    "ENVIRONMENT",
    "DATABASE_",
    "AUTH__",
    "HTTP__",
    "SMS__",
    "WORKER__",
    "CRYPTO__",
)


async def _admin(postgres_url: str, sql: str) -> None:
    dsn = make_url(postgres_url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_database(kind: str, postgres_url: str, directory: Path) -> Iterator[str]:
    """The URL of a database made for this run; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{directory}/schemathesis.db"
        return
    name = f"odvarsel_schemathesis_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def odvarsel(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "odvarsel"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"odvarsel {args[0]} failed:\n{done.stderr}")
    return done.stdout


SELF_ENDING = r"/rotate-secret$"


def create_client(env: dict[str, str]) -> tuple[str, str]:
    """A client of the demo municipality holding every scope, so every operation is reached."""
    scopes = [arg for scope in Scope for arg in ("--scope", scope.value)]
    out = odvarsel(
        env, "create-client", "--name", "Schemathesis", "--municipality", "3107", *scopes
    )
    found = dict(re.findall(r"^(client_id|client_secret)=(\S+)$", out, re.MULTILINE))
    return found["client_id"], found["client_secret"]


def wait_ready(base_url: str, server: subprocess.Popen[bytes], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"odvarsel serve exited with {server.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/readyz", timeout=1, trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not become ready within {within} s")


def token(base_url: str, client_id: str, secret: str) -> str:
    response = httpx.post(
        f"{base_url}/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
        trust_env=False,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def run(args: argparse.Namespace, schemathesis_args: Sequence[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="odvarsel-schemathesis-") as tmp:
        directory = Path(tmp)
        with fresh_database(args.database, args.postgres_url, directory) as database_url:
            port = free_port()
            base = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
            env = {
                **base,
                "DATABASE_URL": database_url,
                "DATA_DIR": str(directory),
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "LOG_LEVEL": "WARNING",
            }
            odvarsel(env, "migrate")
            odvarsel(env, "seed-demo")
            client_id, secret = create_client(env)
            base_url = f"http://127.0.0.1:{port}"
            with (directory / "serve.log").open("wb") as log:
                server = subprocess.Popen(
                    [str(BIN / "odvarsel"), "serve"], env=env, stdout=log, stderr=log
                )
            try:
                wait_ready(base_url, server)
                command = [
                    str(BIN / "schemathesis"), "--config-file", str(CONFIG),
                    "run", f"{base_url}/openapi.json",
                    "--checks", CHECKS,
                    "--max-examples", str(args.max_examples),
                    "--phases", args.phases,
                    "--seed", str(args.seed),
                    "--workers", "1",  # with --seed: the same cases every run
                    "--request-timeout", "30",
                    "--header", f"Authorization: Bearer {token(base_url, client_id, secret)}",
                    *schemathesis_args,
                ]  # fmt: skip
                print(f"schemathesis on {args.database}: {base_url}", flush=True)
                # Rotating a secret ends the tokens issued under it, the fuzzer's own included
                # (it finds its client id in GET /v1/admin/clients): that operation goes last,
                # on its own, so it cannot turn the rest of the run into 401s.
                passes = [
                    [*command, "--exclude-path-regex", SELF_ENDING],
                    [*command, "--include-path-regex", SELF_ENDING],
                ]
                return max(subprocess.run(p, env=env, check=False).returncode for p in passes)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                if server.returncode not in (0, -15):
                    print(
                        (directory / "serve.log").read_text(errors="replace")[-5000:],
                        file=sys.stderr,
                    )


def main(argv: Sequence[str] | None = None) -> None:
    raw = list(sys.argv[1:] if argv is None else argv)
    ours, extra = (raw[: raw.index("--")], raw[raw.index("--") + 1 :]) if "--" in raw else (raw, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432",
        help="server for --database postgresql (a database is created and dropped on it)",
    )
    parser.add_argument("--max-examples", type=int, default=10, help="cases per operation")
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--seed", type=int, default=7, help="fixed, so CI runs agree")
    sys.exit(run(parser.parse_args(ours), extra))


if __name__ == "__main__":
    main()
