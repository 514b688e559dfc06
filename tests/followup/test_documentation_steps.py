"""Documentation as it happens (issue 20 item 4, docs/rules.md "Documentation as it
happens"): the survivor template's record-keeping step is due by the end of the working day
of the first contact, the staff debrief within a week, the leader's review at the end; a
template step may follow another step's completion (`after`)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.clock import FakeClock
from app.followup.deadlines import after_step_deadline
from app.followup.template_schema import TemplateKind, parse_template
from app.followup.templates.defaults import default_template
from app.triage.rules import WorkingHours, parse_day
from tests.followup.test_followup_cases import alert, desk, done, read_case, record, steps_of, take
from tests.scenario import Scenario

__all__ = ["desk"]

HOURS = WorkingHours()
"""08:00-15:30 Monday to Friday; short days end 12:00 (24 and 31 December, ...)."""


def oslo(text: str) -> datetime:
    """A local Oslo time as UTC (winter time: UTC+1; summer: UTC+2)."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Oslo")).astimezone(UTC)


@pytest.mark.parametrize(
    ("done_at", "due"),
    [
        ("2026-11-23 10:00", "2026-11-23 15:30"),  # Monday in working hours: that day's end
        ("2026-11-23 07:00", "2026-11-23 15:30"),  # before the start: still that working day
        ("2026-11-23 15:30", "2026-11-24 15:30"),  # at the end: the next working day
        ("2026-11-23 21:00", "2026-11-24 15:30"),  # in the evening: the next working day
        ("2026-11-27 18:00", "2026-11-30 15:30"),  # Friday evening: Monday
        ("2026-11-28 11:00", "2026-11-30 15:30"),  # Saturday: Monday
        ("2026-12-24 09:00", "2026-12-24 12:00"),  # Christmas Eve, a short day
        ("2026-12-24 13:00", "2026-12-28 15:30"),  # after it: past Christmas, the weekend
        ("2027-03-24 10:00", "2027-03-24 12:00"),  # the Wednesday before Maundy Thursday
        ("2027-03-25 10:00", "2027-03-30 15:30"),  # Maundy Thursday: the Tuesday after Easter
        ("2027-05-17 10:00", "2027-05-18 15:30"),  # 17 May
        ("2027-06-14 10:00", "2027-06-14 15:30"),  # summer time
    ],
)
def test_same_working_day(done_at: str, due: str) -> None:
    deadline = after_step_deadline(oslo(done_at), same_working_day=True, hours=None, working=HOURS)
    assert deadline == oslo(due)


def test_after_hours_counts_from_completion() -> None:
    at = oslo("2026-11-23 21:00")
    assert after_step_deadline(at, same_working_day=False, hours=4, working=HOURS) == at + (
        timedelta(hours=4)
    )


def test_closed_days_of_the_municipality_count() -> None:
    closed = WorkingHours(closed_days=(parse_day("12-28"), parse_day("12-29")), end=time(15, 0))
    deadline = after_step_deadline(
        oslo("2026-12-24 13:00"), same_working_day=True, hours=None, working=closed
    )
    assert deadline == oslo("2026-12-30 15:00")


STEP: dict[str, Any] = {"title": "Gjør noe", "owner": "leader", "offset_hours": 24}


@pytest.mark.parametrize(
    ("after", "problem"),
    [
        ({"step": "first", "same_working_day": True}, None),
        ({"step": "first", "hours": 4}, None),
        ({"step": "first"}, "either same_working_day"),
        ({"step": "first", "same_working_day": True, "hours": 4}, "either same_working_day"),
        ({"step": "later", "hours": 4}, "earlier step"),
        ({"step": "second", "hours": 4}, "earlier step"),
        ({"step": "nothing", "hours": 4}, "earlier step"),
    ],
)
def test_after_names_an_earlier_step_and_one_rule(
    after: dict[str, Any], problem: str | None
) -> None:
    data = {
        "kind": "survivor",
        "name": "Mal",
        "steps": [
            {**STEP, "key": "first"},
            {**STEP, "key": "second", "after": after},
            {**STEP, "key": "later"},
        ],
    }
    if problem is None:
        assert parse_template(data).steps[1].after is not None
    else:
        with pytest.raises(ValidationError, match=problem):
            parse_template(data)


def test_the_default_templates() -> None:
    survivor = default_template(TemplateKind.SURVIVOR)
    journal = survivor.step("record_in_journal")
    assert journal is not None and journal.after is not None
    assert (journal.after.step, journal.after.same_working_day) == ("reach", True)
    offsets = {s.key: s.offset_hours for s in survivor.steps}
    assert offsets["staff_debrief"] == 168 and offsets["leader_review"] == 720
    fatal = default_template(TemplateKind.FATAL)
    offsets = {s.key: s.offset_hours for s in fatal.steps}
    assert offsets["staff_debrief"] == 168 and offsets["review"] == 336


async def test_the_record_is_due_the_working_day_of_the_first_contact(
    desk: Scenario, clock: FakeClock
) -> None:
    case_id = await take(desk, await alert(desk))
    before = steps_of(await read_case(desk, case_id))
    opened = datetime.fromisoformat(before["record_in_journal"]["deadline"])
    assert opened == clock.now() - timedelta(minutes=20) + timedelta(hours=72), "the backstop"

    assert (await record(desk, case_id, "reach", "not_reached")).status_code == 200
    after_miss = steps_of(await read_case(desk, case_id))["record_in_journal"]
    assert after_miss["deadline"] == before["record_in_journal"]["deadline"], "not yet reached"

    clock.set(oslo("2026-11-24 20:00"))  # reached on Tuesday evening
    case = await done(desk, case_id, "reach")
    journal = steps_of(case)["record_in_journal"]
    assert datetime.fromisoformat(journal["deadline"]) == oslo("2026-11-25 15:30")
    assert journal["active"] and not journal["due_at_once"]
    [moved] = [e for e in case["events"] if e["kind"] == "deadline_set"]
    assert moved["step_key"] == "record_in_journal"
