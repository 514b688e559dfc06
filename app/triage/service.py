"""Triage tables in storage: the one the triage of an alert uses, and the admin API's view.

A municipality without a table of its own triages by `rules.DEFAULT_TABLE`. Rules are stored
as JSON objects whose conditions are lists of enum values, or null for "any"; short and
closed days as lists of day texts (`rules.parse_day`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import field_error
from app.overdose.enums import DestinationType, Outcome, SeveritySign
from app.triage import repository
from app.triage.models import TriageTableRow
from app.triage.rules import (
    DEFAULT_TABLE,
    FatalContact,
    FatalTiming,
    TriageAction,
    TriageRule,
    TriageTable,
    WorkingHours,
    day_text,
    parse_day,
)
from app.triage.schemas import (
    WEEKDAYS,
    FatalContactDoc,
    FatalDoc,
    TriageRuleOut,
    TriageTableDoc,
    TriageTableIn,
    WorkingHoursDoc,
)

E = TypeVar("E", bound=StrEnum)


async def table_for(session: AsyncSession, *, municipality_code: str) -> TriageTable:
    """The table the municipality's alerts are triaged by; the default when it has none."""
    row = await repository.get_table(session, municipality_code=municipality_code)
    return DEFAULT_TABLE if row is None else _from_row(row)


async def get_table(session: AsyncSession, municipality_code: str) -> TriageTableDoc:
    """The table as the admin API shows it (`configured: false` for the default)."""
    row = await repository.get_table(session, municipality_code=municipality_code)
    table = DEFAULT_TABLE if row is None else _from_row(row)
    return _doc(municipality_code, table, row)


async def set_table(
    session: AsyncSession, municipality_code: str, table_in: TriageTableIn, *, now: datetime
) -> TriageTableDoc:
    """Replace the municipality's table. Alerts triaged before keep their triage."""
    table = _from_api(table_in)
    row = TriageTableRow(
        municipality_code=municipality_code,
        rules=[_rule_json(rule) for rule in table.rules],
        working_start=table.working_hours.start,
        working_end=table.working_hours.end,
        working_days=sorted(table.working_hours.days),
        short_days=[day_text(day) for day in table.working_hours.short_days],
        short_day_end=table.working_hours.short_day_end,
        closed_days=[day_text(day) for day in table.working_hours.closed_days],
        fatal_morning=table.fatal.morning,
        fatal_evening=table.fatal.evening,
        fatal_at_night=table.fatal.at_night,
        fatal_contact_name=table.fatal_contact.name if table.fatal_contact else None,
        fatal_contact_mobile=table.fatal_contact.mobile if table.fatal_contact else None,
        updated_at=now,
    )
    await repository.save_table(session, row)
    return _doc(municipality_code, table, row)


def _from_api(table_in: TriageTableIn) -> TriageTable:
    """The schema has checked every field; the pure types check again, as a 422."""
    rules = []
    for number, rule in enumerate(table_in.rules):
        try:
            rules.append(
                TriageRule(
                    rule.action,
                    outcomes=_set(rule.outcomes),
                    destinations=_set(rule.destinations),
                    severity_any=_set(rule.severity_any),
                    first_contact_ward=rule.first_contact_ward,
                )
            )
        except ValueError as exc:
            raise field_error(f"rules.{number}", str(exc)) from None
    doc = table_in.working_hours
    if "short_day_end" in doc.model_fields_set and not doc.start < doc.short_day_end < doc.end:
        # Only when given: left out, 12:00 applies, or the usual end if that is sooner.
        raise field_error(
            "working_hours.short_day_end",
            "a short day ends after the start and before the usual end "
            "(a day without working hours is one of closed_days)",
        )
    try:
        hours = WorkingHours(
            start=time.fromisoformat(doc.start),
            end=time.fromisoformat(doc.end),
            days=frozenset(WEEKDAYS.index(day) for day in doc.days),
            short_days=tuple(parse_day(day) for day in doc.short_days),
            short_day_end=time.fromisoformat(doc.short_day_end),
            closed_days=tuple(parse_day(day) for day in doc.closed_days),
        )
    except ValueError as exc:
        raise field_error("working_hours", str(exc)) from None
    fatal = table_in.fatal
    try:
        timing = FatalTiming(
            morning=time.fromisoformat(fatal.morning),
            evening=time.fromisoformat(fatal.evening),
            at_night=fatal.tell_at_night,
        )
    except ValueError as exc:
        raise field_error("fatal", str(exc)) from None
    contact = FatalContact(fatal.contact.name, fatal.contact.mobile) if fatal.contact else None
    return TriageTable(rules=tuple(rules), working_hours=hours, fatal=timing, fatal_contact=contact)


def _from_row(row: TriageTableRow) -> TriageTable:
    rules = tuple(
        TriageRule(
            TriageAction(rule["action"]),
            outcomes=_set(_values(Outcome, rule.get("outcomes"))),
            destinations=_set(_values(DestinationType, rule.get("destinations"))),
            severity_any=_set(_values(SeveritySign, rule.get("severity_any"))),
            first_contact_ward=bool(rule.get("first_contact_ward", False)),
        )
        for rule in row.rules
    )
    hours = WorkingHours(
        row.working_start,
        row.working_end,
        frozenset(row.working_days),
        short_days=tuple(parse_day(day) for day in row.short_days),
        short_day_end=row.short_day_end,
        closed_days=tuple(parse_day(day) for day in row.closed_days),
    )
    fatal = FatalTiming(row.fatal_morning, row.fatal_evening, row.fatal_at_night)
    contact = None
    if row.fatal_contact_name is not None and row.fatal_contact_mobile is not None:
        contact = FatalContact(row.fatal_contact_name, row.fatal_contact_mobile)
    return TriageTable(rules=rules, working_hours=hours, fatal=fatal, fatal_contact=contact)


def _rule_json(rule: TriageRule) -> dict[str, Any]:
    return {
        "action": rule.action.value,
        "outcomes": _listed(Outcome, rule.outcomes),
        "destinations": _listed(DestinationType, rule.destinations),
        "severity_any": _listed(SeveritySign, rule.severity_any),
        "first_contact_ward": rule.first_contact_ward,
    }


def _doc(code: str, table: TriageTable, row: TriageTableRow | None) -> TriageTableDoc:
    hours, fatal = table.working_hours, table.fatal
    return TriageTableDoc(
        municipality=code,
        configured=row is not None,
        rules=[
            TriageRuleOut(number=number, **_rule_json(rule))
            for number, rule in enumerate(table.rules, start=1)
        ],
        working_hours=WorkingHoursDoc(
            start=hours.start.strftime("%H:%M"),
            end=hours.end.strftime("%H:%M"),
            days=[WEEKDAYS[day] for day in sorted(hours.days)],
            short_days=[day_text(day) for day in hours.short_days],
            short_day_end=hours.short_day_end.strftime("%H:%M"),
            closed_days=[day_text(day) for day in hours.closed_days],
        ),
        fatal=FatalDoc(
            morning=fatal.morning.strftime("%H:%M"),
            evening=fatal.evening.strftime("%H:%M"),
            tell_at_night=fatal.at_night,
            contact=FatalContactDoc(
                name=table.fatal_contact.name, mobile=table.fatal_contact.mobile
            )
            if table.fatal_contact
            else None,
        ),
        updated_at=row.updated_at if row is not None else None,
    )


def _set(values: Iterable[E] | None) -> frozenset[E] | None:
    return None if values is None else frozenset(values)


def _values(kind: type[E], values: list[str] | None) -> list[E] | None:
    return None if values is None else [kind(value) for value in values]


def _listed(kind: type[E], values: frozenset[E] | None) -> list[str] | None:
    """In the enum's own order, so the stored and shown lists do not depend on input order."""
    return None if values is None else [member.value for member in kind if member in values]
