"""`odvarsel retention report` and `odvarsel retention run`: what retention purged, what is due
when and what is overdue; and one purge pass by hand (the worker's engine runs them on its own).
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

import typer

from app.auth.commands import run_in_transaction
from app.clock import SystemClock
from app.config import get_settings
from app.db import create_engine, create_sessionmaker
from app.privacy.keys import build_cipher
from app.retention import report as retention_report
from app.retention.engine import run_pass
from app.retention.rules import Category

MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")

retention_cli = typer.Typer(
    no_args_is_help=True, help="Retention: what was purged, what is due, a purge pass by hand."
)


@retention_cli.command("report")
def report(
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality", help="A municipality's code (4 digits): its alerts and cases only"
        ),
    ] = None,
) -> None:
    """Print per category: the period, purged so far, overdue (due, not yet purged), the next
    due and how many within 30 days; and the never-closed cases flagged to their leader."""
    if municipality is not None and not MUNICIPALITY_CODE.fullmatch(municipality):
        typer.echo("error: --municipality: a municipality code is 4 digits", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    now = SystemClock().now()
    built = run_in_transaction(
        lambda session: retention_report.build(
            session, settings.retention, now=now, municipality_code=municipality
        )
    )
    typer.echo(retention_report.render(built))


@retention_cli.command("run")
def run() -> None:
    """Run one purge pass now, as the worker's retention engine does, and print how many rows
    of each category it purged (or flagged)."""
    settings = get_settings()
    now = SystemClock().now()

    async def purge() -> dict[Category, int]:
        engine = create_engine(settings)
        try:
            return dict(
                await run_pass(
                    create_sessionmaker(engine),
                    settings=settings,
                    cipher=build_cipher(settings),
                    now=now,
                )
            )
        finally:
            await engine.dispose()

    done = asyncio.run(purge())
    for category in Category:
        typer.echo(f"{category.value}: {done.get(category, 0)}")
