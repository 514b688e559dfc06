"""CLI commands for teams and rosters, registered on the `odvarsel` app in app/cli.py.

Each command runs one service call in one transaction against DATABASE_URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import AdminScope
from app.auth.commands import run_in_transaction
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.clock import SystemClock
from app.roster.enums import HealthPersonnelBasis, Language, MemberRole
from app.roster.rota import duty as roster_duty
from app.roster.rota import service as rota_service
from app.roster.rota.oncall import OSLO
from app.roster.teams import service as team_service
from app.roster.teams.schemas import MemberIn, TeamIn, TeamUpdate

T = TypeVar("T")


def _model(build: Callable[[], T]) -> T:
    try:
        return build()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "input"
            typer.echo(f"error: {field}: {error['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(1) from exc


def _local(instant: datetime) -> str:
    return f"{instant.astimezone(OSLO):%Y-%m-%d %H:%M}"


def add_team(
    municipality: Annotated[str, typer.Option(help="Kommunenummer, e.g. 3107")],
    name: Annotated[str, typer.Option(help="e.g. 'Ressursteam overdose'")],
    receives_alerts: Annotated[
        bool, typer.Option(help="Page this team for the municipality's alerts")
    ] = False,
) -> None:
    """Add a team to a municipality; prints the team id."""
    team_in = _model(
        lambda: TeamIn(municipality=municipality, name=name, receives_alerts=receives_alerts)
    )
    now = SystemClock().now()
    team = run_in_transaction(
        lambda s: team_service.create_team(AdminScope(s, EVERY_MUNICIPALITY, now), team_in=team_in)
    )
    typer.echo(str(team.id))


def add_member(
    team_id: Annotated[uuid.UUID, typer.Argument(help="The team's id")],
    name: Annotated[str, typer.Option(help="As written in the team's calendar")],
    mobile: Annotated[str, typer.Option(help="Norwegian mobile number")],
    role: Annotated[MemberRole, typer.Option()],
    health_personnel_basis: Annotated[
        HealthPersonnelBasis | None,
        typer.Option(
            help="Why the member is health personnel (hpl § 3): authorisation, or "
            "employment in a care role in the municipal health and care service. Leave out "
            "for cooperating personnel (hpl § 25)"
        ),
    ] = None,
    health_personnel: Annotated[
        bool | None,
        typer.Option(
            help="Deprecated: use --health-personnel-basis. Alone, read as 'authorisation'",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        Language | None,
        typer.Option(help="The member's own choice; left out: the municipality's standard"),
    ] = None,
    email: Annotated[str | None, typer.Option(help="Matches calendar attendees")] = None,
    leader: Annotated[bool, typer.Option(help="Make this member the team's leader")] = False,
) -> None:
    """Add a member to a team; prints the member id."""
    # Only the options given: a basis left out is not the same as a basis set to null.
    given = {
        "is_health_personnel": health_personnel,
        "health_personnel_basis": health_personnel_basis,
    }
    member_in = _model(
        lambda: MemberIn(
            name=name,
            mobile=mobile,
            email=email,
            role=role,
            language=language,
            **{k: v for k, v in given.items() if v is not None},
        )
    )
    now = SystemClock().now()

    async def work(session: AsyncSession) -> uuid.UUID:
        operator = AdminScope(session, EVERY_MUNICIPALITY, now)
        member = await team_service.add_member(operator, team_id=team_id, member_in=member_in)
        if leader:
            await session.flush()
            update = TeamUpdate(leader_member_id=member.id)
            await team_service.update_team(operator, team_id=team_id, update=update)
        return member.id

    typer.echo(str(run_in_transaction(work)))


def import_rota(
    team_id: Annotated[uuid.UUID, typer.Argument(help="The team's id")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An .ics file")],
    days: Annotated[int, typer.Option(min=1, max=366, help="Import this many days ahead")] = 28,
    dry_run: Annotated[bool, typer.Option(help="Show what would be imported")] = False,
) -> None:
    """Import shifts from an iCalendar file, replacing earlier imports in the window.

    Events that cannot be matched to a member are listed on stderr, and the exit status is
    then 1 (the shifts that matched are imported all the same).
    """
    data = file.read_bytes()
    now = SystemClock().now()
    result = run_in_transaction(
        lambda s: rota_service.import_rota(
            AdminScope(s, EVERY_MUNICIPALITY, now),
            team_id=team_id,
            data=data,
            window_start=now,
            window_end=now + timedelta(days=days),
            dry_run=dry_run,
        )
    )
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{verb} {len(result.shifts)} shift(s), replacing {result.replaced}")
    for shift in result.shifts:
        typer.echo(f"  {_local(shift.starts_at)} to {_local(shift.ends_at)}  {shift.member_name}")
    for text in result.unmatched:
        typer.echo(f"not imported: {text}", err=True)
    if result.unmatched:
        raise typer.Exit(1)


def roster_holes(
    days: Annotated[int, typer.Option(min=1, max=92, help="How many days ahead")] = 7,
    all_teams: Annotated[bool, typer.Option(help="Also teams that do not receive alerts")] = False,
) -> None:
    """Report roster holes in the coming days; exit status 1 if there is any (for cron).

    Checks every team that receives alerts, and reports municipalities whose alerts reach
    no team. Times are Europe/Oslo.
    """
    start = SystemClock().now()
    end = start + timedelta(days=days)
    report = run_in_transaction(
        lambda s: roster_duty.holes_report(s, start=start, end=end, all_teams=all_teams)
    )
    for entry in report:
        where = f"{entry.municipality.code} {entry.municipality.name}"
        if entry.team is None:
            typer.echo(f"{where}: no team receives the alerts")
            continue
        count = len(entry.holes)
        typer.echo(f"{where} / {entry.team.name}: {count} hole(s) in the next {days} days")
        for hole_start, hole_end in entry.holes:
            typer.echo(f"  {_local(hole_start)} to {_local(hole_end)} (Europe/Oslo)")
        for member in entry.stopped_sms:
            typer.echo(f"  {member.name} replied STOP to our SMS: off duty until START")
    if any(entry.holes for entry in report):
        raise typer.Exit(1)
