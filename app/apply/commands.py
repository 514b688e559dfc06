"""`odvarsel apply FILE [--dry-run] [--prune]`, registered on the CLI in app/cli.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.apply import reading
from app.apply.report import ApplyFailed, Report
from app.apply.schema import MunicipalityFile
from app.apply.service import apply_file
from app.clock import SystemClock
from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker


async def run_apply(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[Report]], *, dry_run: bool
) -> Report:
    """`work` in one transaction, committed, or rolled back when it is a dry run."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            transaction = await session.begin()
            try:
                report = await work(session)
            except BaseException:
                await transaction.rollback()
                raise
            await (transaction.rollback() if dry_run else transaction.commit())
            return report
    finally:
        await engine.dispose()


def read_file(path: Path) -> MunicipalityFile:
    """The validated file; each problem on a line of its own on stderr, and exit status 1."""
    try:
        return reading.read(path)
    except reading.FileProblem as problem:
        for line in problem.lines:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(1) from None


def print_report(report: Report, *, dry_run: bool) -> None:
    for line in report.changes:
        typer.echo(line)
    for line in report.notes:
        typer.echo(line)
    count = len(report.changes)
    if dry_run:
        typer.echo(f"dry run: {count} change(s) would be made; nothing was written")
    else:
        typer.echo(f"{count} change(s) applied" if count else "no change")
    for client_id, secret in report.secrets if not dry_run else []:
        typer.echo(f"client_secret {client_id}={secret}")
    if report.secrets and not dry_run:
        typer.echo("Store the secrets now: they cannot be shown again.", err=True)


def apply(
    file: Annotated[Path, typer.Argument(help="The municipality's YAML file", dir_okay=False)],
    dry_run: Annotated[
        bool, typer.Option(help="Print what would change and change nothing")
    ] = False,
    prune: Annotated[
        bool, typer.Option(help="Deactivate members and clients the file leaves out")
    ] = False,
) -> None:
    """Apply a municipality described in YAML (README, 'A municipality in one file').

    Idempotent: only what differs from the file is changed, and a second apply reports no
    change. Members and clients the file leaves out are listed, and deactivated only with
    --prune. A new client's secret is printed once. Exit status 1, with nothing applied, when
    the file is invalid or a part of it is refused.
    """
    parsed = read_file(file)
    now = SystemClock().now()
    try:
        report = asyncio.run(
            run_apply(
                get_settings(),
                lambda session: apply_file(session, parsed, now=now, prune=prune),
                dry_run=dry_run,
            )
        )
    except ApplyFailed as failed:
        typer.echo(f"error: {file}: {failed}; nothing was applied", err=True)
        raise typer.Exit(1) from None
    print_report(report, dry_run=dry_run)
