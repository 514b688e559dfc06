"""The statistics API: a municipality's period as JSON or CSV, for its team leader (a staff
session) or a client with `statistics:read`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response, Security

from app.api.responses import Responses, problem
from app.auth.scopes import Scope
from app.auth.staff.acting import ActingParty, acting_party
from app.deps import TxSession
from app.errors import Forbidden, NotFound
from app.norway.types import MUNICIPALITY_CODE_PATTERN
from app.statistics import service
from app.statistics.cube import PERIOD_PATTERN, Period
from app.statistics.schemas import StatisticsOut

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])

CSV_TYPE = "text/csv"
CSV_EXAMPLE = (
    "municipality,period,dimension,value,count,shown\r\n"
    "3107,2026-11,events,all,12,12\r\n"
    "3107,2026-11,sex,female,,<5\r\n"
    "3107,2026-11,sex,male,,x\r\n"
)


Reader = Annotated[ActingParty, Security(acting_party, scopes=[Scope.STATISTICS_READ])]


async def reader(acting: Reader) -> ActingParty:
    """A client with `statistics:read`, or a signed-in team leader; 403 for other staff."""
    if acting.staff is not None and not acting.staff.is_leader:
        raise Forbidden("Only the team's leader reads the statistics.")
    return acting


_problems: Responses = {
    **problem(401, "No valid access token or staff session"),
    **problem(403, "The token lacks `statistics:read`, or the staff member is not the leader"),
    **problem(404, "Not one of your municipalities"),
    **problem(422, "The period or the format is not valid"),
}


@router.get(
    "/{municipality}",
    response_model=StatisticsOut,
    summary="Anonymous statistics of a municipality's month, half-year or year",
    description="Counts of alerts by kind, outcome, destination, place (home share), evening "
    "and weekend, sex, age band, naloxone (by bystanders too), substance group, reached "
    "within 24 hours and next appointment; distinct persons; the median time to "
    "acknowledge. Counts from 1 to 4 show as `<5`; further counts show as `x` wherever one "
    "could be recovered from the others by subtraction. The whole year is suppressed at "
    "once and every period is read from it, so a half-year and its months, or two "
    "breakdowns of a month, cannot be subtracted. `format=csv` (or `Accept: text/csv`) "
    "answers CSV with the columns municipality, period, dimension, value, count (empty "
    "where hidden), shown (the count, `<5` or `x`; a share or a median only here).",
    responses={
        **_problems,
        200: {"content": {CSV_TYPE: {"schema": {"type": "string"}, "example": CSV_EXAMPLE}}},
    },
)
async def get_statistics(
    session: TxSession,
    acting: Annotated[ActingParty, Depends(reader)],
    municipality: Annotated[
        str,
        Path(
            pattern=MUNICIPALITY_CODE_PATTERN,
            description="The municipality number",
            examples=["3107"],
        ),
    ],
    period: Annotated[
        str,
        Query(
            pattern=PERIOD_PATTERN,
            description='A month ("2026-11"), a half-year ("2026-H2") or a year ("2026")',
            examples=["2026-11"],
        ),
    ],
    output: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="csv for CSV; default: by the Accept header, else JSON"),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StatisticsOut | Response:
    if municipality not in acting.municipalities:
        raise NotFound(f"No municipality {municipality} for you.")
    stats = await service.period_statistics(
        session, municipality=municipality, period=Period.parse(period)
    )
    wants_csv = output == "csv" or (output is None and CSV_TYPE in (accept or ""))
    if wants_csv:
        filename = f"statistikk-{municipality}-{stats.period.key}.csv"
        return Response(
            service.to_csv(stats),
            media_type=f"{CSV_TYPE}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return StatisticsOut.of(stats)
