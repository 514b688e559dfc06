"""Admin commands: `odvarsel migrate | seed-demo | create-client | serve | openapi`, for
clients `client list | deactivate | rotate-secret`, and for rosters
`add-team | add-member | import-rota | roster-holes`, and for the form `add-reporter`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from app import demo, settings_checks
from app.auth import service as auth_service
from app.auth.commands import client_cli
from app.auth.scopes import Scope
from app.clock import SystemClock
from app.config import Settings, get_settings
from app.config.errors import ConfigError, report_config_error
from app.db import create_engine, create_sessionmaker
from app.errors import DomainError
from app.reporters import commands as reporter_commands
from app.roster.cli import commands as roster_commands

settings_checks.install()  # before any command reads the settings

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


def run_migrations(settings: Settings, revision: str = "head", *, down: bool = False) -> None:
    """Upgrade to `revision` (or, with `down`, downgrade to it)."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(Path(__file__).resolve().parent.parent / "alembic.ini"))
    config.attributes["settings"] = settings
    config.attributes["configure_logger"] = False
    (command.downgrade if down else command.upgrade)(config, revision)


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    run_migrations(get_settings())
    typer.echo("database is up to date")


async def _seed_demo(settings: Settings) -> list[str]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await demo.seed_demo(session, now=SystemClock().now())
    finally:
        await engine.dispose()


@cli.command("seed-demo")
def seed_demo() -> None:
    """Add the demo municipality (3107 Fredrikstad), dispatch client and on-duty team."""
    settings = get_settings()
    if settings.environment == "production":
        typer.echo("refusing to seed demo data in production", err=True)
        raise typer.Exit(1)
    done = asyncio.run(_seed_demo(settings))
    typer.echo("seeded: " + ", ".join(done) if done else "demo data present")


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
def openapi(path: Path = Path("openapi/openapi.json")) -> None:
    """Write the OpenAPI document of the app."""
    from app.main import create_app

    path.write_text(json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {path}")


async def _run_worker(settings: Settings) -> None:
    import signal

    import httpx

    from app.notify.senders import build_sender
    from app.worker import Worker

    engine = create_engine(settings)
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
        try:
            await worker.run()
        finally:
            await sender.aclose()
            await engine.dispose()


@cli.command()
def worker() -> None:
    """Run the escalation and SMS worker as its own process (production)."""
    from app.logging import configure_logging

    settings = get_settings()
    configure_logging(level=settings.log_level, json_lines=settings.log_json)
    asyncio.run(_run_worker(settings))


cli.add_typer(client_cli, name="client")
cli.command("add-team")(roster_commands.add_team)
cli.command("add-member")(roster_commands.add_member)
cli.command("import-rota")(roster_commands.import_rota)
cli.command("roster-holes")(roster_commands.roster_holes)
cli.command("add-reporter")(reporter_commands.add_reporter)


def main() -> None:
    try:
        cli()
    except ConfigError as exc:
        report_config_error(exc)
        raise SystemExit(2) from None
