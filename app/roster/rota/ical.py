"""Import a duty rota from an iCalendar (.ics) file as one-off shifts (pure).

Each event occurrence within the window becomes a shift for every person on it: its
attendees (email and display name), or the event's title when it has no attendees. The
caller's `identify` maps a person to a member id; events it cannot map are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from app.instants import bounded_instant
from app.roster.rota.oncall import OSLO, Shift
from app.roster.rota.recurrence import MAX_OCCURRENCES, occurrence_bound

# Occurrences are fetched with this margin and then filtered exactly, because the library
# compares floating (zone-less) times in its own way; no UTC offset exceeds 14 hours.
_MARGIN = timedelta(days=1)


class RotaImportError(ValueError):
    """The calendar cannot be read; the message is meant for the person importing it."""


@dataclass(frozen=True)
class EventPerson:
    """Who an event names: an attendee's email and display name, or the event title."""

    email: str | None
    name: str | None


@dataclass(frozen=True)
class RotaImport:
    """Shifts found, and descriptions of events that could not be turned into shifts."""

    shifts: tuple[Shift, ...]
    unmatched: tuple[str, ...]


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _label(event: icalendar.Event) -> str:
    return repr(_text(event.get("SUMMARY")) or _text(event.get("UID")) or "(untitled)")


def _parse(data: bytes) -> icalendar.Calendar:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RotaImportError(
            "The calendar file is not UTF-8 text; export it again as UTF-8 (RFC 5545)."
        ) from None
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except OSError:  # a zone name too long for a file name; the path is not for the caller
        raise RotaImportError("The calendar names a time zone that does not exist.") from None
    except ValueError as exc:
        raise RotaImportError(f"The file is not a valid iCalendar file: {exc}") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise RotaImportError("The file does not hold a calendar (BEGIN:VCALENDAR).")
    return calendar


# Broken values elsewhere (CREATED, GEO, ...) do not change who is on duty when.
_TIMING = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"})


def _check(calendar: icalendar.Calendar, horizon: datetime) -> None:
    """Refuse what the expansion would otherwise misread or skip without a word, or could not
    finish before `horizon` (the end of what is expanded) in reasonable time."""
    for event in calendar.events:
        label = _label(event)
        problems = [f"{prop}: {message}" for prop, message in event.errors if prop in _TIMING]
        if problems:
            raise RotaImportError(f"Invalid values in event {label}: {'; '.join(problems)}")
        if "DTSTART" not in event:
            raise RotaImportError(f"Event {label} has no start time (DTSTART).")
        for key in ("DTSTART", "DTEND"):
            prop = event.get(key)
            # icalendar falls back to a floating time for a zone it does not know.
            if (
                isinstance(prop, icalendar.vDDDTypes)
                and "TZID" in prop.params
                and isinstance(prop.dt, datetime)
                and prop.dt.tzinfo is None
            ):
                zone_id = prop.params["TZID"]
                raise RotaImportError(f"Event {label} uses an unknown time zone {zone_id!r}.")
        try:
            # Bounded as every instant of the API: year 9999 plus a day is an OverflowError.
            start = bounded_instant(_instant(event.start))
            end = bounded_instant(_instant(event.end))
        except (ValueError, OverflowError) as exc:
            raise RotaImportError(f"Event {label}: {exc}") from None
        # The expansion would silently swap the two.
        if end < start:
            raise RotaImportError(f"Event {label} ends before it starts.")
        _check_rule(event, label, start, horizon)


_TOO_OFTEN = frozenset({"SECONDLY", "MINUTELY"})
"""Frequencies no rota has: a month of them is millions of occurrences to expand."""


def _check_rule(event: icalendar.Event, label: str, start: datetime, horizon: datetime) -> None:
    """Refuse a repetition the expansion cannot finish: INTERVAL=0 never moves on, and one
    that makes too many occurrences from its start up to `horizon` takes seconds."""
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        if any(not isinstance(n, int) or n < 1 for n in rule.get("INTERVAL", [])):
            raise RotaImportError(f"Event {label} repeats with an INTERVAL below 1.")
        if _TOO_OFTEN.intersection(str(f).upper() for f in rule.get("FREQ", [])):
            raise RotaImportError(f"Event {label} repeats more often than hourly.")
        until = next(iter(rule.get("UNTIL", [])), None)
        end = min(horizon, _instant(until)) if isinstance(until, date) else horizon
        if occurrence_bound(rule, start, end) > MAX_OCCURRENCES:
            raise RotaImportError(
                f"Event {label} repeats too often from its start up to the window's end (more "
                f"than {MAX_OCCURRENCES:,} times): start the repetition later, or less often."
            )


def _instant(value: date | datetime) -> datetime:
    """An event time as an aware datetime: dates at local midnight, floating as Oslo time."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=OSLO)
    if value.tzinfo is None:
        return value.replace(tzinfo=OSLO)
    return value


def _people(event: icalendar.Event) -> list[EventPerson] | None:
    """Who the event names; None when every attendee declined."""
    attendees = event.attendees
    if not attendees:
        name = _text(event.get("SUMMARY"))
        return [EventPerson(email=None, name=name)] if name else []
    people: list[EventPerson] = []
    for attendee in attendees:
        if str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        address = str(attendee).strip()
        email = address[len("mailto:") :].strip() if address.lower().startswith("mailto:") else ""
        people.append(EventPerson(email=email or None, name=_text(attendee.params.get("CN"))))
    return people or None


def _describe(title: str | None, starts_at: datetime, detail: str | None = None) -> str:
    text = f"{title or '(untitled)'} at {starts_at.astimezone(OSLO):%Y-%m-%d %H:%M}"
    return f"{text} ({detail})" if detail else text


def _occurrences(
    calendar: icalendar.Calendar, window_start: datetime, window_end: datetime
) -> list[tuple[icalendar.Event, datetime, datetime]]:
    """Occurrences overlapping the window, not cancelled, with their aware start and end."""
    try:
        found = recurring_ical_events.of(calendar).between(
            (window_start - _MARGIN).astimezone(OSLO), (window_end + _MARGIN).astimezone(OSLO)
        )
        timed = [
            (event, _instant(event.start), _instant(event.end))
            for event in found
            if isinstance(event, icalendar.Event)
            # Read by hand: the typed accessor refuses a lower-case status.
            and str(event.get("STATUS", "")).upper() != "CANCELLED"
        ]
    except OSError:  # an X-WR-TIMEZONE too long for a file name (the path is not shown)
        raise RotaImportError("The calendar names a time zone that does not exist.") from None
    except (ValueError, KeyError, OverflowError) as exc:
        # KeyError covers an unknown X-WR-TIMEZONE (ZoneInfoNotFoundError), OverflowError a
        # time that a duration moves beyond year 9999.
        raise RotaImportError(f"The calendar's events could not be expanded: {exc}") from None
    return [
        (event, start, end)
        for event, start, end in timed
        # A zero-length event counts at its start (it is reported, having no duration).
        if start < window_end and (end > window_start if end > start else start >= window_start)
    ]


def parse_rota(
    data: bytes,
    *,
    window_start: datetime,
    window_end: datetime,
    identify: Callable[[EventPerson], str | None],
) -> RotaImport:
    """Shifts from the events of an .ics file that overlap [window_start, window_end).

    Recurring events are expanded within the window; cancelled events and occurrences are
    skipped. Shift times are as in the calendar, not clipped to the window. Raises
    `RotaImportError` when the file cannot be read.
    """
    for value, what in ((window_start, "window_start"), (window_end, "window_end")):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{what} must be a timezone-aware datetime")
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    calendar = _parse(data)
    _check(calendar, window_end + _MARGIN)
    shifts: set[Shift] = set()
    unmatched: list[tuple[datetime, str]] = []
    for event, starts_at, ends_at in _occurrences(calendar, window_start, window_end):
        title = _text(event.get("SUMMARY"))
        if ends_at <= starts_at:
            unmatched.append((starts_at, _describe(title, starts_at, "no duration")))
            continue
        people = _people(event)
        if people is None:
            unmatched.append((starts_at, _describe(title, starts_at, "all attendees declined")))
            continue
        if not people:
            unmatched.append((starts_at, _describe(title, starts_at, "nobody named")))
        for person in people:
            member_id = identify(person)
            if member_id is None:
                who = person.email or (person.name if person.name != title else None)
                unmatched.append((starts_at, _describe(title, starts_at, who)))
            else:
                shifts.add(Shift(member_id, starts_at.astimezone(UTC), ends_at.astimezone(UTC)))
    return RotaImport(
        shifts=tuple(sorted(shifts, key=lambda s: (s.starts_at, s.ends_at, s.member_id))),
        unmatched=tuple(text for _, text in sorted(unmatched, key=lambda item: item[0])),
    )
