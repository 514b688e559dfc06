"""Importing a duty rota from iCalendar: time forms, recurrence, people, bad files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.roster.rota.ical import EventPerson, RotaImport, RotaImportError, parse_rota
from app.roster.rota.oncall import OSLO, Shift

MEMBERS = {
    "kari@fredrikstad.kommune.no": "m-kari",
    "Ola Nordmann": "m-ola",
}


def identify(person: EventPerson) -> str | None:
    return MEMBERS.get(person.email or "") or MEMBERS.get(person.name or "")


def ics(*events: str, header: str = "") -> bytes:
    """A calendar with the given events, one property per line; each event gets a UID."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//odvarsel//test//EN"]
    lines += [line.strip() for line in header.strip().splitlines()]
    for number, event in enumerate(events):
        body = [line.strip() for line in event.strip().splitlines()]
        uid = [] if any(line.startswith("UID:") for line in body) else [f"UID:event-{number}"]
        lines += ["BEGIN:VEVENT", *uid, *body, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def oslo(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=OSLO)


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def parse(data: bytes, start: datetime = oslo(3, 23), end: datetime = oslo(3, 30)) -> RotaImport:
    return parse_rota(data, window_start=start, window_end=end, identify=identify)


Planned = tuple[str, datetime, datetime]  # member id, start, end
KARI = "ATTENDEE;CN=Kari Nordmann:mailto:kari@fredrikstad.kommune.no"
VALID = "SUMMARY:Vakt\nDTSTART:20260324T070000Z\nDTEND:20260324T150000Z"


@pytest.mark.parametrize(
    ("times", "start", "end"),
    [
        # TZID, across the spring-forward night: 9 hours
        (
            "DTSTART;TZID=Europe/Oslo:20260328T220000\nDTEND;TZID=Europe/Oslo:20260329T080000",
            utc(3, 28, 21),
            utc(3, 29, 6),
        ),
        ("DTSTART:20260324T070000Z\nDTEND:20260324T150000Z", utc(3, 24, 7), utc(3, 24, 15)),
        # floating: Oslo wall time
        ("DTSTART:20260328T220000\nDTEND:20260329T080000", utc(3, 28, 21), utc(3, 29, 6)),
        # all day on the spring-forward Sunday: a 23-hour day
        ("DTSTART;VALUE=DATE:20260329", utc(3, 28, 23), utc(3, 29, 22)),
        (
            "DTSTART;VALUE=DATE:20260324\nDTEND;VALUE=DATE:20260326",
            utc(3, 23, 23),
            utc(3, 25, 23),
        ),
        ("DTSTART;TZID=Europe/Oslo:20260324T080000\nDURATION:PT8H", utc(3, 24, 7), utc(3, 24, 15)),
        (
            "DTSTART;TZID=Europe/London:20260324T080000\nDURATION:PT8H",
            utc(3, 24, 8),
            utc(3, 24, 16),
        ),
        # Outlook's Windows zone names
        (
            "DTSTART;TZID=W. Europe Standard Time:20260324T080000\nDURATION:PT8H",
            utc(3, 24, 7),
            utc(3, 24, 15),
        ),
        # an event straddling the window start is kept whole
        ("DTSTART:20260322T200000Z\nDTEND:20260323T060000Z", utc(3, 22, 20), utc(3, 23, 6)),
    ],
)
def test_event_times(times: str, start: datetime, end: datetime) -> None:
    expected = RotaImport(shifts=(Shift("m-kari", start, end),), unmatched=())
    assert parse(ics(f"{times}\n{KARI}")) == expected


def test_floating_times_follow_the_calendar_time_zone() -> None:
    event = f"DTSTART:20260324T080000\nDTEND:20260324T160000\n{KARI}"
    result = parse(ics(event, header="X-WR-TIMEZONE:Europe/London"))
    assert result.shifts == (Shift("m-kari", utc(3, 24, 8), utc(3, 24, 16)),)


@pytest.mark.parametrize(
    "event",
    [
        f"DTSTART:20260322T150000Z\nDTEND:20260322T230000Z\n{KARI}",  # ends at the window start
        f"DTSTART:20260329T220000Z\nDTEND:20260330T060000Z\n{KARI}",  # starts at the window end
        f"DTSTART:20260324T070000Z\nDTEND:20260324T150000Z\nSTATUS:CANCELLED\n{KARI}",
        f"DTSTART:20260324T070000Z\nDTEND:20260324T150000Z\nSTATUS:cancelled\n{KARI}",
    ],
)
def test_events_outside_the_window_or_cancelled_are_skipped(event: str) -> None:
    assert parse(ics(event)) == RotaImport(shifts=(), unmatched=())


NIGHTS = """
    UID:nights
    SUMMARY:Nattevakt
    DTSTART;TZID=Europe/Oslo:20260321T220000
    DTEND;TZID=Europe/Oslo:20260322T080000
    RRULE:FREQ=WEEKLY
    ATTENDEE;CN=Kari Nordmann:mailto:kari@fredrikstad.kommune.no
"""
DAYS = """
    UID:days
    SUMMARY:Ola Nordmann
    DTSTART;TZID=Europe/Oslo:20260320T080000
    DTEND;TZID=Europe/Oslo:20260320T160000
    RRULE:FREQ=DAILY;UNTIL=20260326T070000Z
    EXDATE;TZID=Europe/Oslo:20260324T080000
"""
MOVED = """
    UID:days
    RECURRENCE-ID;TZID=Europe/Oslo:20260325T080000
    SUMMARY:Ola Nordmann
    DTSTART;TZID=Europe/Oslo:20260325T100000
    DTEND;TZID=Europe/Oslo:20260325T180000
"""
CANCELLED = """
    UID:days
    RECURRENCE-ID;TZID=Europe/Oslo:20260323T080000
    SUMMARY:Ola Nordmann
    STATUS:CANCELLED
    DTSTART;TZID=Europe/Oslo:20260323T080000
    DTEND;TZID=Europe/Oslo:20260323T160000
"""


@pytest.mark.parametrize(
    ("events", "start", "end", "expected"),
    [
        (  # weekly nights across the DST change: 9 h then 10 h
            (NIGHTS,),
            oslo(3, 27),
            oslo(4, 5),
            [("m-kari", utc(3, 28, 21), utc(3, 29, 6)), ("m-kari", utc(4, 4, 20), utc(4, 5, 6))],
        ),
        (  # daily until the 26th, the 24th excluded
            (DAYS,),
            oslo(3, 23),
            oslo(3, 30),
            [
                ("m-ola", utc(3, 23, 7), utc(3, 23, 15)),
                ("m-ola", utc(3, 25, 7), utc(3, 25, 15)),
                ("m-ola", utc(3, 26, 7), utc(3, 26, 15)),
            ],
        ),
        (  # one occurrence moved, one cancelled
            (DAYS, MOVED, CANCELLED),
            oslo(3, 23),
            oslo(3, 30),
            [("m-ola", utc(3, 25, 9), utc(3, 25, 17)), ("m-ola", utc(3, 26, 7), utc(3, 26, 15))],
        ),
        (  # only occurrences overlapping the window
            (DAYS,),
            oslo(3, 21, 16),
            oslo(3, 23, 12),
            [("m-ola", utc(3, 22, 7), utc(3, 22, 15)), ("m-ola", utc(3, 23, 7), utc(3, 23, 15))],
        ),
    ],
)
def test_recurring_events(
    events: tuple[str, ...], start: datetime, end: datetime, expected: list[Planned]
) -> None:
    result = parse(ics(*events), start, end)
    assert result == RotaImport(shifts=tuple(Shift(*s) for s in expected), unmatched=())


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([KARI], [EventPerson("kari@fredrikstad.kommune.no", "Kari Nordmann")]),
        (["ATTENDEE:MAILTO:per@example.no"], [EventPerson("per@example.no", None)]),
        (['ATTENDEE;CN="Nordmann, Kari":urn:uuid:42'], [EventPerson(None, "Nordmann, Kari")]),
        (
            [
                "ATTENDEE;CN=Kari;PARTSTAT=DECLINED:mailto:kari@example.no",
                "ATTENDEE;CN=Ola;PARTSTAT=ACCEPTED:mailto:ola@example.no",
                "ATTENDEE:mailto:per@example.no",
            ],
            [EventPerson("ola@example.no", "Ola"), EventPerson("per@example.no", None)],
        ),
        ([], [EventPerson(None, "Vakt Ola")]),
    ],
)
def test_people_passed_to_identify(lines: list[str], expected: list[EventPerson]) -> None:
    seen: list[EventPerson] = []

    def record(person: EventPerson) -> str:
        seen.append(person)
        return "m-x"

    event = "\n".join(["SUMMARY:Vakt Ola", "DTSTART:20260324T070000Z", "DURATION:PT8H", *lines])
    result = parse_rota(
        ics(event), window_start=oslo(3, 23), window_end=oslo(3, 30), identify=record
    )
    assert seen == expected
    assert len(result.shifts) == 1  # one shift per member, however many people map to it


def test_each_identified_attendee_gets_a_shift_and_the_others_are_reported() -> None:
    event = f"""
        SUMMARY:Helgevakt
        DTSTART;TZID=Europe/Oslo:20260328T090000
        DTEND;TZID=Europe/Oslo:20260328T170000
        {KARI}
        ATTENDEE;CN=Ola Nordmann:mailto:ola.privat@example.no
        ATTENDEE;CN=Per Hansen:mailto:per@example.no
    """
    assert parse(ics(event)) == RotaImport(
        shifts=(
            Shift("m-kari", utc(3, 28, 8), utc(3, 28, 16)),
            Shift("m-ola", utc(3, 28, 8), utc(3, 28, 16)),
        ),
        unmatched=("Helgevakt at 2026-03-28 09:00 (per@example.no)",),
    )


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((VALID,), ["Vakt at 2026-03-24 08:00"]),
        (  # listed in time order, not file order
            (VALID.replace("20260324", "20260326"), VALID.replace("Vakt", "Pål")),
            ["Pål at 2026-03-24 08:00", "Vakt at 2026-03-26 08:00"],
        ),
        (
            (VALID + "\nATTENDEE;CN=Per Hansen:urn:uuid:7",),
            ["Vakt at 2026-03-24 08:00 (Per Hansen)"],
        ),
        (
            (VALID + "\nATTENDEE;PARTSTAT=DECLINED:mailto:kari@fredrikstad.kommune.no",),
            ["Vakt at 2026-03-24 08:00 (all attendees declined)"],
        ),
        (
            ("DTSTART:20260324T070000Z\nDTEND:20260324T150000Z",),
            ["(untitled) at 2026-03-24 08:00 (nobody named)"],
        ),
        (  # a date-time start with no end lasts no time at all
            ("SUMMARY:Ola Nordmann\nDTSTART:20260324T070000Z",),
            ["Ola Nordmann at 2026-03-24 08:00 (no duration)"],
        ),
        (  # every unmatched occurrence is a hole in the rota, so each is listed
            (
                "SUMMARY:Natt\nDTSTART;TZID=Europe/Oslo:20260327T220000\nDURATION:PT10H\n"
                "RRULE:FREQ=DAILY;COUNT=2",
            ),
            ["Natt at 2026-03-27 22:00", "Natt at 2026-03-28 22:00"],
        ),
    ],
)
def test_unmatched_events_are_reported(events: tuple[str, ...], expected: list[str]) -> None:
    assert parse(ics(*events)) == RotaImport(shifts=(), unmatched=tuple(expected))


@pytest.mark.parametrize(
    "data",
    [
        "\ufeff".encode() + ics(f"{VALID}\n{KARI}"),  # byte order mark
        ics(f"{VALID}\n{KARI}\nCREATED:yesterday"),  # broken, but not about timing
    ],
)
def test_tolerated_oddities(data: bytes) -> None:
    assert parse(data).shifts == (Shift("m-kari", utc(3, 24, 7), utc(3, 24, 15)),)


BROKEN_ZONE = (  # a time zone definition with a broken transition
    "BEGIN:VTIMEZONE\nTZID:Oslo\nBEGIN:STANDARD\nDTSTART:sometime\nTZOFFSETFROM:+0200\n"
    "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a valid iCalendar file"),
        (b"Kari: mandag, Ola: tirsdag", "not a valid iCalendar file"),
        (ics(VALID).replace(b"END:VCALENDAR\r\n", b""), "not a valid iCalendar file"),
        (ics(VALID) + ics(VALID), "not a valid iCalendar file"),
        (b"BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260324T070000Z\r\nEND:VEVENT\r\n", "BEGIN:VCALENDAR"),
        (ics("SUMMARY:Bjørn\nDTSTART:20260324T070000Z").replace("ø".encode(), b"\xf8"), "UTF-8"),
        (ics("SUMMARY:Vakt\nDTSTART:2026-03-24"), "Invalid values in event 'Vakt': DTSTART"),
        (ics(VALID + "\nRRULE:FREQ=SOMETIMES"), "Invalid values in event 'Vakt': RRULE"),
        (ics(VALID + "\nEXDATE:garbage"), "Invalid values in event 'Vakt': EXDATE"),
        (ics("SUMMARY:Vakt\nDTEND:20260324T150000Z"), "'Vakt' has no start time"),
        (
            ics("SUMMARY:Vakt\nDTSTART;TZID=Mars/Olympus:20260324T080000\nDURATION:PT1H"),
            "'Vakt' uses an unknown time zone 'Mars/Olympus'",
        ),
        (
            ics("SUMMARY:Vakt\nDTSTART:20260324T150000Z\nDTEND:20260324T070000Z"),
            "'Vakt' ends before it starts",
        ),
        (ics(VALID, header="X-WR-TIMEZONE:Mars/Olympus"), "could not be expanded"),
        (ics(VALID, header=BROKEN_ZONE), "not a valid iCalendar file"),
        (ics(VALID + "\nDURATION:PT1H"), "'Vakt': Only one of DTEND and DURATION"),
        (
            ics("SUMMARY:Vakt\nDTSTART;VALUE=DATE:20260324\nDTEND:20260324T150000Z"),
            "'Vakt': DTSTART and DTEND must be of the same type",
        ),
    ],
)
def test_malformed_calendar_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(RotaImportError, match=message):
        parse(data)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime(2026, 3, 23), oslo(3, 30), "window_start must be a timezone-aware"),
        (oslo(3, 23), datetime(2026, 3, 30), "window_end must be a timezone-aware"),
        (oslo(3, 30), oslo(3, 23), "window_end must be after window_start"),
    ],
)
def test_window_must_be_aware_and_ordered(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(ics(VALID), start, end)
