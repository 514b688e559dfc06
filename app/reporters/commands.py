"""`odvarsel add-reporter`: add a reporter, or bring the one with this mobile (or, without a
mobile, this name) in line; registered on the `odvarsel` app in app/cli.py."""

from __future__ import annotations

from typing import Annotated

import typer

from app.api.admin import AdminScope
from app.auth.commands import run_in_transaction
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.clock import SystemClock
from app.overdose.enums import ReporterType
from app.reporters import service
from app.reporters.schemas import ReporterIn
from app.roster.cli.commands import _model
from app.roster.enums import Language


def add_reporter(
    name: Annotated[str, typer.Option(help="The person's name")],
    reporter_type: Annotated[ReporterType, typer.Option("--type", help="Where they work")],
    municipality: Annotated[
        list[str], typer.Option(help="Kommunenummer they may report for; repeat for several")
    ],
    mobile: Annotated[
        str | None, typer.Option(help="Norwegian mobile: signs in by SMS link")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Signs in with OIDC")] = None,
    unit: Annotated[str | None, typer.Option(help="e.g. 'Ambulanse Fredrikstad 2'")] = None,
    callback_phone: Annotated[
        str | None, typer.Option(help="The crew's call-back number (default: the mobile)")
    ] = None,
    language: Annotated[Language, typer.Option()] = Language.NB,
) -> None:
    """Add a reporter who may send alerts with the form at /skjema (or update the one with
    this mobile); prints the reporter id and whether it was added, changed or unchanged."""
    body = _model(
        lambda: ReporterIn(
            name=name,
            mobile=mobile,
            email=email,
            reporter_type=reporter_type,
            unit=unit,
            callback_phone=callback_phone,
            language=language,
            municipalities=municipality,
        )
    )
    now = SystemClock().now()
    done = run_in_transaction(
        lambda s: service.upsert(AdminScope(s, EVERY_MUNICIPALITY, now), body)
    )
    what = "added" if done.created else "changed" if done.changed else "unchanged"
    typer.echo(f"{done.reporter.id} {what}")
