"""`odvarsel client list | deactivate | rotate-secret`: the operator's tools for API clients.

They act for every municipality. A change reaches running instances of the service within
their client cache (5 seconds, app/auth/directory.py); tokens are refused from then on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.config import get_settings
from app.db import in_transaction
from app.errors import DomainError

T = TypeVar("T")

client_cli = typer.Typer(no_args_is_help=True, help="List, deactivate and rotate API clients.")


def run_in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a transaction against DATABASE_URL; refusals are printed and exit with
    status 1. The roster's commands (app/roster/cli) run theirs through it too."""
    try:
        return asyncio.run(in_transaction(get_settings(), work))
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc


ClientId = Annotated[str, typer.Argument(help="The client's id")]


@client_cli.command("list")
def list_clients() -> None:
    """Print every client: id, active or inactive, municipalities, scopes, name."""
    clients = run_in_transaction(
        lambda s: service.list_clients(s, municipalities=EVERY_MUNICIPALITY)
    )
    for c in clients:
        state = "active" if c.active else "inactive"
        where = ",".join(c.municipalities) or "-"
        typer.echo(f"{c.id}\t{state}\t{where}\t{' '.join(c.scopes)}\t{c.name}")


@client_cli.command("deactivate")
def deactivate(client_id: ClientId) -> None:
    """Deactivate a client: its secret and its tokens are refused from now on."""
    run_in_transaction(
        lambda s: service.deactivate_client(
            s, client_id=client_id, municipalities=EVERY_MUNICIPALITY
        )
    )
    typer.echo(f"deactivated {client_id}")


@client_cli.command("rotate-secret")
def rotate_secret(client_id: ClientId) -> None:
    """Give a client a new secret (printed once); tokens of the old one are refused."""
    created = run_in_transaction(
        lambda s: service.rotate_secret(
            s, client_id=client_id, municipalities=EVERY_MUNICIPALITY, caller_scopes=None
        )
    )
    typer.echo(f"client_id={created.client_id}")
    typer.echo(f"client_secret={created.secret}")
    typer.echo("Store the secret now: it cannot be shown again.", err=True)
