"""The coordinator's statistics pages (`/a/statistics`), for the team leader only.

* `GET /a/statistics?period=…`: the period's counts (the year by default) with a bar chart of
  events per month and one of shares, drawn as SVG on the server (`app.statistics.charts`),
  the tables with "<5" and "x", links to the CSV and to the reports.
* `GET /a/statistics/csv?period=…`: the CSV of the API (`app.statistics.service.to_csv`), for
  the browser (the API takes a bearer token, a link cannot).
* `GET /a/statistics/report?period=…`: the monthly (a month) or half-yearly (a half-year)
  report as a printable page.

Every number comes from the API's service and its suppressed cube; nothing personal is read.
Without a session: the sign-in page; other staff than the leader: a refusal page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.auth.staff.deps import OptionalStaff
from app.auth.staff.identity import StaffIdentity
from app.deps import StateDep, TxSession
from app.i18n import N_, OSLO, Words, decimal, month_name
from app.statistics import service
from app.statistics.charts import Bar, bar_chart, share_chart
from app.statistics.cube import DIMENSIONS, NO, UNKNOWN, YES, Period, PeriodStatistics
from app.statistics.suppression import Shown
from app.web.staff_pages import message, render, root, to_signin, words_of

router = APIRouter(prefix="/statistics", include_in_schema=False)

DIMENSION_WORDS = {
    "kind": N_("stats.dim.kind"),
    "outcome": N_("stats.dim.outcome"),
    "destination": N_("stats.dim.destination"),
    "place_type": N_("stats.dim.place_type"),
    "home": N_("stats.dim.home"),
    "evening": N_("stats.dim.evening"),
    "weekend": N_("stats.dim.weekend"),
    "sex": N_("stats.dim.sex"),
    "age_band": N_("stats.dim.age_band"),
    "naloxone": N_("stats.dim.naloxone"),
    "naloxone_by_bystander": N_("stats.dim.naloxone_by_bystander"),
    "substance_opioid": N_("stats.dim.substance_opioid"),
    "substance_benzodiazepine": N_("stats.dim.substance_benzodiazepine"),
    "substance_other_medicine": N_("stats.dim.substance_other_medicine"),
    "substance_alcohol": N_("stats.dim.substance_alcohol"),
    "substance_ghb": N_("stats.dim.substance_ghb"),
    "substance_stimulant": N_("stats.dim.substance_stimulant"),
    "substance_unknown_or_new": N_("stats.dim.substance_unknown_or_new"),
    "reached_within_24h": N_("stats.dim.reached_within_24h"),
    "next_appointment": N_("stats.dim.next_appointment"),
}
"""Each dimension's heading (every one of `cube.DIMENSIONS`)."""

VALUE_WORDS = {
    YES: N_("stats.value.yes"),
    NO: N_("stats.value.no"),
    UNKNOWN: N_("stats.value.unknown"),
    "home": N_("stats.value.home"),
    "not_home": N_("stats.value.not_home"),
}
FIELD_OF = {
    "kind": "kind",
    "sex": "value.person.sex",
    "age_band": "value.person.age_band",
    "place_type": "value.place.type",
    "destination": "value.destination.type",
    "outcome": "value.clinical.outcome",
}
"""Dimensions whose values the alert's pages already name (`<prefix>.<value>`)."""

SHARE_WORDS = {
    "home": N_("stats.share.home"),
    "evening": N_("stats.share.evening"),
    "weekend": N_("stats.share.weekend"),
    "naloxone_by_bystander": N_("stats.share.naloxone_by_bystander"),
    "reached_within_24h": N_("stats.share.reached_within_24h"),
    "next_appointment": N_("stats.share.next_appointment"),
}


@dataclass(frozen=True)
class Table:
    dimension: str
    heading: str
    rows: list[tuple[str, Shown]]


@dataclass(frozen=True)
class StatisticsView:
    """What the page and the reports show of a period."""

    stats: PeriodStatistics
    title: str
    """The period as the language names it: "november 2026", "2. halvår 2026", "2026"."""
    month_chart: Markup
    share_chart: Markup
    shares: list[tuple[str, str]]
    median: str
    tables: list[Table]


def value_label(words: Words, dimension: str, value: str) -> str:
    """A value's words, capitalised for a table row ("kvinne" of the alert's page: "Kvinne")."""
    if dimension in FIELD_OF and value != UNKNOWN:
        label = words.gettext_or(f"{FIELD_OF[dimension]}.{value}", value)
    else:
        label = words.gettext(VALUE_WORDS[value]) if value in VALUE_WORDS else value
    return label[:1].upper() + label[1:]


def period_title(words: Words, period: Period, language: str) -> str:
    if period.month is not None:
        return month_name(period.year, period.month, language)
    if period.half is not None:
        return words.gettext(N_("stats.half")).format(half=period.half, year=period.year)
    return str(period.year)


def percent(share: float | None, language: str) -> str:
    return "–" if share is None else f"{decimal(round(share * 100), language)} %"


def view_of(
    stats: PeriodStatistics, words: Words, language: str, *, year: PeriodStatistics
) -> StatisticsView:
    """`year`: the period's year, whose months a month's chart shows (a half-year's shows
    its own six); from the same suppressed cube, so they add nothing to subtract."""
    charted = stats.months if len(stats.months) > 1 else year.months
    months = [
        Bar(
            label=month_name(stats.period.year, int(key[5:7]), language, short=True),
            value=shown.count,
            text=shown.text,
        )
        for key, shown in charted
    ]
    shares = [(words.gettext(SHARE_WORDS[name]), value) for name, value in stats.shares.items()]
    by_dimension: dict[str, list[tuple[str, Shown]]] = {}
    for row in stats.rows:
        by_dimension.setdefault(row.dimension, []).append(
            (value_label(words, row.dimension, row.value), row.shown)
        )
    median = stats.median_minutes_to_acknowledge
    return StatisticsView(
        stats=stats,
        title=period_title(words, stats.period, language),
        month_chart=bar_chart(
            months, title=words.gettext(N_("stats.chart.months")), chart_id="chart-months"
        ),
        share_chart=share_chart(
            [Bar(label, value, percent(value, language)) for label, value in shares],
            title=words.gettext(N_("stats.chart.shares")),
            chart_id="chart-shares",
        ),
        shares=[(label, percent(value, language)) for label, value in shares],
        median="–" if median is None else decimal(median, language),
        tables=[
            Table(d.name, words.gettext(DIMENSION_WORDS[d.name]), by_dimension[d.name])
            for d in DIMENSIONS
        ],
    )


def _period(state: StateDep, text: str | None) -> Period | None:
    if not text:
        return Period(state.clock.now().astimezone(OSLO).year)
    try:
        return Period.parse(text)
    except ValueError:
        return None


Loaded = tuple[StaffIdentity, PeriodStatistics, PeriodStatistics] | Response
"""The leader, the chosen period's statistics and its year's; or the page to answer instead."""


async def _load(
    request: Request,
    state: StateDep,
    session: TxSession,
    staff: OptionalStaff,
    period: str | None = None,
) -> Loaded:
    """What each statistics page starts from (a dependency: `?period=` is its query)."""
    if staff is None:
        return to_signin(request)
    if not staff.is_leader:
        return message(request, staff, "stats.leader_only", status=403)
    chosen = _period(state, period)
    if chosen is None:
        return message(request, staff, "stats.no_period", status=404)
    cube = await service.year_cube(session, municipality=staff.municipality_code, year=chosen.year)
    return staff, cube.period(chosen), cube.period(Period(chosen.year))


LoadedDep = Annotated[Loaded, Depends(_load)]


def _links(year: int, language: str, words: Words) -> list[tuple[str, str]]:
    """(period key, label) of the year, its half-years and months."""
    periods = [Period(year), Period(year, half=1), Period(year, half=2)]
    periods += [Period(year, month=m) for m in range(1, 13)]
    return [(p.key, period_title(words, p, language)) for p in periods]


@router.api_route("", methods=["GET", "HEAD"])
async def statistics_page(request: Request, loaded: LoadedDep) -> Response:
    if isinstance(loaded, Response):
        return loaded
    leader, stats, year = loaded
    words = words_of(leader)
    language = words.language
    base = f"{root(request)}/statistics"
    return render(
        request,
        "statistics.html",
        leader,
        view=view_of(stats, words, language, year=year),
        links=_links(stats.period.year, language, words),
        base=base,
        years=(stats.period.year - 1, stats.period.year + 1),
    )


@router.get("/csv")
async def statistics_csv(request: Request, loaded: LoadedDep) -> Response:
    if isinstance(loaded, Response):
        return loaded
    leader, stats, _ = loaded
    filename = f"statistikk-{leader.municipality_code}-{stats.period.key}.csv"
    return Response(
        service.to_csv(stats),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/report")
async def statistics_report(request: Request, state: StateDep, loaded: LoadedDep) -> Response:
    if isinstance(loaded, Response):
        return loaded
    leader, stats, year = loaded
    words = words_of(leader)
    kind = {
        "month": N_("stats.report.month"),
        "half_year": N_("stats.report.half_year"),
        "year": N_("stats.report.year"),
    }[stats.period.granularity]
    return render(
        request,
        "statistics_report.html",
        leader,
        view=view_of(stats, words, words.language, year=year),
        report=words.gettext(kind),
        made_at=state.clock.now(),
        base=f"{root(request)}/statistics",
    )
