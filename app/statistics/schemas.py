"""The statistics as the API answers them: every count with how it is shown."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.statistics.cube import PeriodStatistics
from app.statistics.suppression import Shown


class CountOut(BaseModel):
    count: int | None = Field(description="None where hidden", examples=[12])
    shown: str = Field(
        description='The count, or "<5" (1 to 4) or "x" (hidden so that no hidden count can '
        "be recovered by subtraction)",
        examples=["12"],
    )

    @classmethod
    def of(cls, shown: Shown) -> CountOut:
        return cls(count=shown.count, shown=shown.text)


class MonthOut(CountOut):
    month: str = Field(examples=["2026-11"])


class BreakdownOut(CountOut):
    dimension: str = Field(examples=["place_type"])
    value: str = Field(examples=["own_home"])


class StatisticsOut(BaseModel):
    """A municipality's period, anonymous: counts below 5 and what would reveal them hidden."""

    municipality: str = Field(examples=["3107"])
    period: str = Field(examples=["2026-11"])
    granularity: str = Field(description="month, half_year or year", examples=["month"])
    events: CountOut = Field(description="Alerts (overdoses) in the period")
    persons: int | None = Field(
        description="Distinct persons among them (by the keyed national-id hash); None under 5 "
        "or beside hidden events",
        examples=[10],
    )
    median_minutes_to_acknowledge: float | None = Field(
        description="From the first SMS to the take; None under 5 acknowledged alerts",
        examples=[7.0],
    )
    shares: dict[str, float | None] = Field(
        description="Shares among the alerts where it is known (home, evening, weekend, "
        "naloxone by bystander, reached within 24 h, next appointment); None where the "
        "numerator or the rest is under 5 or hidden",
        examples=[{"home": 0.4, "reached_within_24h": None}],
    )
    months: list[MonthOut] = Field(description="The events of each month of the period")
    breakdown: list[BreakdownOut] = Field(
        description="Each dimension's values (exhaustive: `unknown` included), in a fixed order"
    )

    @classmethod
    def of(cls, stats: PeriodStatistics) -> StatisticsOut:
        return cls(
            municipality=stats.municipality,
            period=stats.period.key,
            granularity=stats.period.granularity,
            events=CountOut.of(stats.events),
            persons=stats.persons,
            median_minutes_to_acknowledge=stats.median_minutes_to_acknowledge,
            shares=dict(stats.shares),
            months=[
                MonthOut(month=month, count=shown.count, shown=shown.text)
                for month, shown in stats.months
            ],
            breakdown=[
                BreakdownOut(
                    dimension=row.dimension,
                    value=row.value,
                    count=row.shown.count,
                    shown=row.shown.text,
                )
                for row in stats.rows
            ],
        )
