"""odvarsel: overdose alerts from ambulance dispatch to the on-duty team. `--help` on each command.

The service: `migrate`, `serve`, `worker`. A municipality from its YAML file: `apply`
(`seed-demo` applies the demo's). Clients: `create-client`, `client`. Rosters: `add-team`,
`add-member`, `import-rota`, `roster-holes`. Reporters (the form): `add-reporter`.
Keys: `keys rotate`. Retention: `retention report`, `retention run`. `sms-reply` tries an SMS
reply under `make run`; `openapi` writes the API's document."""

from __future__ import annotations

import asyncio
import gc
import json
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.exc import DBAPIError

from app import demo, settings_checks
from app.answers.commands import sms_reply
from app.apply.commands import apply, print_report, read_file, run_apply
from app.apply.report import ApplyFailed
from app.auth import service as auth_service
from app.auth.commands import client_cli
from app.auth.scopes import Scope
from app.clock import SystemClock
from app.config import Settings, get_settings
from app.config.errors import ConfigError, report_config_error
from app.db import create_engine, create_sessionmaker, describe_error
from app.errors import DomainError
from app.key_rotation.commands import keys_cli
from app.reporters import commands as reporter_commands
from app.retention.commands import retention_cli
from app.roster.cli import commands as roster_commands
from app.schema_check import schema_problem

settings_checks.install()  # before any command reads the settings

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
PROJECT = Path(__file__).resolve().parent.parent
"""The folder of alembic.ini, openapi/ and demo/ (paths never depend on where a command runs)."""


def _version(show: bool) -> None:
    if show:
        try:
            number = package_version("odvarsel")
        except PackageNotFoundError:  # run from the source tree without being installed
            number = "unknown (not installed)"
        typer.echo(f"odvarsel {number}")
        raise typer.Exit()


@cli.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """The options before any command."""


def run_migrations(settings: Settings, revision: str = "head", *, down: bool = False) -> None:
    """Upgrade to `revision` (or, with `down`, downgrade to it)."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT / "alembic.ini"))
    config.attributes["settings"] = settings
    config.attributes["configure_logger"] = False
    (command.downgrade if down else command.upgrade)(config, revision)


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    run_migrations(get_settings())
    typer.echo("database is up to date")


@cli.command("seed-demo")
def seed_demo(
    file: Annotated[Path, typer.Option(help="The demo's municipality file")] = demo.DEMO_FILE,
) -> None:
    """Apply the demo municipality (3107 Fredrikstad); refused in production.

    Applies demo/3107-fredrikstad.yaml (a team on duty around the clock, a dispatch client)
    as `apply` does, then gives the client the README's dev-only secret."""
    settings = get_settings()
    if settings.environment == "production":
        typer.echo("refusing to seed demo data in production", err=True)
        raise typer.Exit(1)
    read_file(file)  # a bad file is reported line by line before the database is opened
    now = SystemClock().now()
    try:
        report = asyncio.run(
            run_apply(settings, lambda s: demo.seed_demo(s, now=now, file=file), dry_run=False)
        )
    except ApplyFailed as failed:
        typer.echo(f"error: {file}: {failed}; nothing was applied", err=True)
        raise typer.Exit(1) from None
    print_report(report, dry_run=False)


async def _create_client(
    settings: Settings, name: str, municipalities: list[str], scopes: list[str]
) -> auth_service.NewClient:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await auth_service.create_client(
                session,
                name=name,
                municipality_codes=municipalities,
                scopes=scopes,
                now=SystemClock().now(),
            )
    finally:
        await engine.dispose()


@cli.command("create-client")
def create_client(
    name: Annotated[str, typer.Option(help="Who the client is, e.g. 'AMK Øst'")],
    municipality: Annotated[list[str], typer.Option(help="Kommunenummer; repeat for several")],
    scope: Annotated[list[str], typer.Option(help=f"Scope; repeat. One of: {', '.join(Scope)}")] = [  # noqa: B006
        Scope.ALERTS_WRITE.value,
        Scope.ALERTS_READ.value,
    ],
) -> None:
    """Create an API client and print its secret once; only a hash is kept."""
    try:
        created = asyncio.run(_create_client(get_settings(), name, municipality, scope))
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"client_id={created.client_id}")
    typer.echo(f"client_secret={created.secret}")
    typer.echo("Store the secret now: it cannot be shown again.", err=True)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: HOST setting")] = None,
    port: Annotated[int | None, typer.Option(help="Default: PORT setting")] = None,
    workers: int = 1,
) -> None:
    """Run the HTTP server (uvicorn, behind a proxy: forwarded headers are believed from the
    addresses in FORWARDED_ALLOW_IPS)."""
    settings = get_settings()  # a configuration error stops here, before uvicorn starts
    problem = schema_problem(settings)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    uvicorn.run(
        "app.main:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=None,
    )


@cli.command()
def openapi(path: Path = PROJECT / "openapi" / "openapi.json") -> None:
    """Write the OpenAPI document of the app."""
    from app.main import create_app

    path.write_text(json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {path}")


async def _run_worker(settings: Settings) -> None:
    import signal

    import httpx

    from app.metrics.process import serve_worker_metrics
    from app.notify.senders import build_sender
    from app.worker import Worker, connections_wanted

    engine = create_engine(settings, pool_size=connections_wanted(settings))
    clock = SystemClock()
    async with httpx.AsyncClient(timeout=settings.sms.send_timeout_seconds) as http:
        sender = build_sender(settings, http=http, clock=clock)
        worker = Worker(
            sessions=create_sessionmaker(engine),
            sender=sender,
            clock=clock,
            settings=settings,
        )
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, worker.stop)
        metrics = serve_worker_metrics(settings)  # METRICS__WORKER_PORT, if set
        gc.freeze()  # start-up's objects: not walked by each full collection (app/main.py)
        try:
            await worker.run()
        finally:
            if metrics is not None:
                metrics.shutdown()
            await sender.aclose()
            await engine.dispose()


@cli.command()
def worker() -> None:
    """Run the escalation and SMS worker as its own process (production)."""
    from app.logging import configure_logging

    settings = get_settings()
    configure_logging(level=settings.log_level, json_lines=settings.log_json)
    asyncio.run(_run_worker(settings))


cli.command()(apply)
cli.command("sms-reply")(sms_reply)
cli.add_typer(client_cli, name="client")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(retention_cli, name="retention")
cli.command("add-team")(roster_commands.add_team)
cli.command("add-member")(roster_commands.add_member)
cli.command("import-rota")(roster_commands.import_rota)
cli.command("roster-holes")(roster_commands.roster_holes)
cli.command("add-reporter")(reporter_commands.add_reporter)


def main() -> None:
    """The `odvarsel` script: a configuration error, a database that cannot be used or a file
    that cannot be written is one line on stderr, never a traceback."""
    try:
        cli()
    except ConfigError as exc:
        report_config_error(exc)
        raise SystemExit(2) from None
    except DBAPIError as exc:
        what = describe_error(exc).get("db_error", type(exc).__name__)
        typer.echo(
            f"error: the database at DATABASE_URL could not be used ({what}): is it "
            "reachable, and has `odvarsel migrate` been run?",
            err=True,
        )
        raise SystemExit(1) from None
    except OSError as exc:
        typer.echo(f"error: {exc.strerror or type(exc).__name__}: {exc.filename or ''}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
