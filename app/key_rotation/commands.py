"""`odvarsel keys rotate`: the operator's step after making a new key active (README, "Key
rotation"). Prints a progress bar while it works and a count per table and column at the
end; exits 1 when a value did not open (it names where, never the value)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.key_rotation import service
from app.key_rotation.registry import SEALED
from app.privacy.keys import build_cipher, build_hasher

keys_cli = typer.Typer(no_args_is_help=True, help="Rotate the keys of personal data at rest.")

Work = Callable[[async_sessionmaker[AsyncSession]], Awaitable[service.Outcome]]


@keys_cli.command("rotate")
def rotate(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per transaction.")] = 100,
    rehash: Annotated[
        bool,
        typer.Option(
            "--rehash",
            help="Also re-hash the national-id and dispatch-incident hashes under "
            "CRYPTO__HASH_KEY (after the hash key was rotated).",
        ),
    ] = False,
) -> None:
    """Re-seal every value not under CRYPTO__ACTIVE_KEY_ID, in batches; safe to run again
    or after a crash (it resumes), and while the service runs."""
    settings = get_settings()
    cipher, hasher = build_cipher(settings), build_hasher(settings)

    async def reseal(sessions: async_sessionmaker[AsyncSession]) -> service.Outcome:
        total = await service.pending(sessions, cipher)
        with typer.progressbar(length=total, label="re-sealing") as bar:
            return await service.reseal_all(
                sessions, cipher, batch_size=batch_size, progress=bar.update
            )

    async def rehash_alerts(sessions: async_sessionmaker[AsyncSession]) -> service.Outcome:
        total = await service.count_alerts(sessions)
        with typer.progressbar(length=total, label="re-hashing") as bar:
            return await service.rehash_all(
                sessions, cipher, hasher, batch_size=batch_size, progress=bar.update
            )

    failed = _report(_run(settings, reseal), [s.name for s in SEALED], what="re-sealed")
    if rehash:
        hashes = ["alert.national_id_hash", "alert.dispatch_incident_hash"]
        failed |= _report(_run(settings, rehash_alerts), hashes, what="re-hashed")
    if failed:
        raise typer.Exit(1)


def _run(settings: Settings, work: Work) -> service.Outcome:
    async def run() -> service.Outcome:
        engine = create_engine(settings)
        try:
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _report(outcome: service.Outcome, columns: list[str], *, what: str) -> bool:
    """Print the counts; True when some value did not open."""
    for name in [*columns, *sorted(set(outcome.done) - set(columns))]:
        line = f"{name}: {outcome.done[name]} {what}"
        if outcome.changed_meanwhile[name]:
            line += f", {outcome.changed_meanwhile[name]} changed meanwhile (left as written)"
        typer.echo(line)
    for note in outcome.notes:
        typer.echo(f"note: {note}")
    if outcome.unreadable:
        typer.echo(
            f"error: {len(outcome.unreadable)} values did not open (tampered, or sealed under "
            "a key no longer configured) and were left as they are:",
            err=True,
        )
        for bad in outcome.unreadable:
            typer.echo(f"  {bad.column} {bad.row}", err=True)
    return outcome.failed
