"""Deadlines that act, end to end: the SMS that reach the fake Twilio, by the clock (the
service wired to it as in every SMS scenario: tests/sms/conftest.py).

The team: Ada (leader, on duty), Bo and Cy. An overdose at 12:40 Oslo time on Monday
23 November; Bo takes the alert; the case opens. Bo is reminded two hours before a step's
deadline, Ada is told once it has passed, each once however often the worker runs; and the
case runs to its closure, after which nobody hears of it again.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.followup import deadlines
from app.followup.cases.models import SUBJECT_KIND
from app.notify.models import OutboxMessage
from app.state import AppState
from tests.followup.test_followup_cases import (
    ADA,
    BO,
    CY,
    alert,
    case_api,
    done,
    open_keys,
    read_case,
    record,
    take,
)
from tests.scenario import Scenario

OVERDOSE = datetime(2026, 11, 23, 11, 40, tzinfo=UTC)  # 12:40 in Oslo
REACH_DEADLINE = OVERDOSE + timedelta(hours=24)
REACH_REMINDER = REACH_DEADLINE - timedelta(hours=2)


async def new_sms(desk: Scenario) -> list[tuple[str, str]]:
    """The worker run until idle; the SMS sent since the last look, (to, body)."""
    await desk.settle()
    return desk.new_sms()


async def sms_at(desk: Scenario, instant: datetime) -> list[tuple[str, str]]:
    """The clock set to `instant`, the worker run; the SMS sent since the last look."""
    await desk.fast_forward_to(instant)
    return desk.new_sms()


@pytest.fixture
async def desk(scenario: Scenario) -> Scenario:
    scenario.clock.set(OVERDOSE + timedelta(minutes=20))
    await scenario.team()
    return scenario


async def test_a_reminder_before_the_deadline_and_an_overdue_notice_after_it(
    desk: Scenario, state: AppState
) -> None:
    ada, bo = desk.mobile(ADA), desk.mobile(BO)
    alert_id = await alert(desk)
    assert [to for to, _ in await new_sms(desk)] == [ada]  # paged: Ada is on duty
    desk.clock.advance(timedelta(minutes=5))
    case_id = await take(desk, alert_id)
    [(to, body)] = await new_sms(desk)
    assert (to, "tatt av Bo Dahl" in body) == (ada, True), "opening the case sends nothing"
    await done(desk, case_id, "assess", by_member_id=str(desk.member(ADA)))
    link = f"{state.settings.http.public_base_url}/a/cases/{case_id}"

    assert await sms_at(desk, REACH_REMINDER - timedelta(seconds=1)) == []
    [(to, body)] = await sms_at(desk, REACH_REMINDER)
    assert to == bo
    assert (
        body
        == f"Påminnelse Fredrikstad: oppfølging etter overdose har frist 24.11. kl. 12.40. {link}"
    )
    assert await sms_at(desk, REACH_REMINDER + timedelta(minutes=30)) == [], "reminded once"

    assert await sms_at(desk, REACH_DEADLINE - timedelta(seconds=1)) == []
    [(to, body)] = await sms_at(desk, REACH_DEADLINE)
    assert to == ada, "the leader hears of it"
    assert body == (
        f"Frist passert Fredrikstad 24.11. kl. 12.40: oppfølgingssteg ikke registrert. {link}"
    )
    assert await sms_at(desk, REACH_DEADLINE + timedelta(hours=1)) == [], "told once"
    assert "Ola" not in body and "01010750160" not in body  # notify-only

    case = await read_case(desk, case_id)
    reach = next(s for s in case["steps"] if s["key"] == "reach")
    assert reach["overdue"] is True
    assert [e["kind"] for e in case["events"] if e["step_key"] == "reach"] == [
        "reminded",
        "overdue_told",
    ]
    async with state.sessions() as session:
        messages = (
            (await session.execute(OutboxMessage.__table__.select())).mappings().all()  # type: ignore[attr-defined]
        )
    followup = [m for m in messages if m["subject_kind"] == SUBJECT_KIND]
    assert {(m["purpose"], uuid.UUID(str(m["subject_id"]))) for m in followup} == {
        ("followup_reminder", case_id),
        ("followup_overdue", case_id),
    }
    assert len(followup) == 2


async def test_a_next_attempt_is_told_afresh_and_a_closed_case_is_quiet(
    desk: Scenario, state: AppState
) -> None:
    bo, cy = desk.mobile(BO), desk.mobile(CY)
    case_id = await take(desk, await alert(desk))
    await done(desk, case_id, "assess")
    # Due with the first contact: recorded, so only the attempts at reaching are told here.
    await done(desk, case_id, "suicide_risk")
    await new_sms(desk)

    # Bo tried and did not reach the person: the next attempt tomorrow morning.
    desk.clock.set(REACH_REMINDER - timedelta(hours=4))
    response = await record(
        desk, case_id, "reach", "not_reached", next_attempt_at="2026-11-25T08:00:00+01:00"
    )
    assert response.status_code == 200, response.text
    # The visit is made two by two: Cy goes with Bo.
    assigned = await case_api(
        desk,
        "POST",
        f"/{case_id}/steps/visit/assignment",
        {"companion_member_id": str(desk.member(CY))},
    )
    assert assigned.status_code == 200, assigned.text
    assert await sms_at(desk, REACH_DEADLINE + timedelta(minutes=1)) == [], "no longer due today"
    next_attempt = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    # Two hours before it is 06:00, in quiet hours: Bo is reminded at 21:00 the evening before.
    evening = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    assert await sms_at(desk, evening - timedelta(seconds=1)) == []
    [(to, body)] = await sms_at(desk, evening)
    assert to == bo
    assert "25.11. kl. 08.00" in body
    assert await sms_at(desk, next_attempt - timedelta(hours=2)) == [], "reminded once"
    desk.clock.set(next_attempt - timedelta(minutes=30))
    await done(desk, case_id, "reach", outcome="Samtale på Stasjonen")
    assert await sms_at(desk, next_attempt + timedelta(minutes=1)) == [], "done in time"

    # The visit and the OD folder (both Bo's, due 25.11 12:40) make one SMS to Bo; Cy, who
    # goes with him on the visit, gets one too.
    visit_reminders = await sms_at(desk, OVERDOSE + timedelta(hours=46))
    assert sorted(to for to, _ in visit_reminders) == sorted([bo, cy])

    # Everything else is done: the case closes, and nobody hears of it again.
    case = await read_case(desk, case_id)
    for key in open_keys(case):
        case = await done(desk, case_id, key)
    assert case["state"] == "closed"
    assert await sms_at(desk, OVERDOSE + timedelta(days=60)) == []


async def test_a_fatal_case_reminds_the_leader_of_the_steps_nobody_holds_yet(
    desk: Scenario, state: AppState
) -> None:
    ada = desk.mobile(ADA)
    desk.clock.set(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))  # 02:00 on a Saturday night in Oslo
    alert_id = await alert(desk, kind="fatal", clinical={"outcome": "deceased"})
    assert await new_sms(desk) == [], "nobody at night"
    monday_0800 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    [(to, body)] = await sms_at(desk, monday_0800)
    assert (to, body.startswith("Overdosedødsfall")) == (ada, True)
    desk.clock.set(monday_0800 + timedelta(minutes=10))
    case_id = await take(desk, alert_id, desk.member(ADA))
    case = await read_case(desk, case_id)
    assert case["kind"] == "fatal"
    # The case opened when the leader was told (08:00), before she took it: every step the
    # template puts "at once" or within 48 h of the death is due two hours (the fatal
    # template's lead) after that: one overdue SMS for all of them.
    assert await sms_at(desk, monday_0800 + timedelta(hours=1, minutes=59)) == []
    [(to, body)] = await sms_at(desk, monday_0800 + timedelta(hours=2))
    assert to == ada and body.startswith("Frist passert Fredrikstad 30.11. kl. 10.00")
    told = [
        e["step_key"]
        for e in (await read_case(desk, case_id))["events"]
        if e["kind"] == "overdue_told"
    ]
    assert sorted(told) == ["assess", "bereaved_crisis_help", "peer_outreach"]
    # The serious-event report (Ada's, 72 h after the death) is reminded 4 hours before.
    report_due = datetime(2026, 12, 1, 0, 40, tzinfo=UTC)
    assert await sms_at(desk, report_due - timedelta(hours=4, seconds=1)) == []
    [(to, body)] = await sms_at(desk, report_due - timedelta(hours=4))
    assert to == ada and body.startswith("Påminnelse Fredrikstad")


async def test_a_case_opened_at_night_tells_nobody_until_the_evening_or_the_morning(
    scenario: Scenario, state: AppState
) -> None:
    """Quiet hours (22:00-08:00 Oslo time, app.followup.deadlines): Bo takes an alert at
    02:05 on Tuesday 24 November. The assessment (due 03:05) is told overdue at 08:00; the
    first contact (due 01:40 on Wednesday) is reminded at 21:00 on Tuesday, not at 23:40, and
    told overdue at 08:00 on Wednesday, not at 01:40. The deadlines themselves stay."""
    scenario.clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # 02:00 in Oslo
    await scenario.team()
    desk = scenario
    ada, bo = desk.mobile(ADA), desk.mobile(BO)
    alert_id = await alert(desk)  # the overdose at 01:40
    assert [to for to, _ in await new_sms(desk)] == [ada]  # alerts page at night
    desk.clock.advance(timedelta(minutes=5))
    case_id = await take(desk, alert_id)
    [(to, body)] = await new_sms(desk)
    assert (to, "tatt av Bo Dahl" in body) == (ada, True)
    link = f"{state.settings.http.public_base_url}/a/cases/{case_id}"

    steps = {s["key"]: s for s in (await read_case(desk, case_id))["steps"]}
    assert steps["assess"]["deadline"] == "2026-11-24T02:05:00Z"  # 03:05: not moved
    assert steps["assess"]["remind_at"] is None  # due within the lead
    assert steps["reach"]["deadline"] == "2026-11-25T00:40:00Z"  # 01:40: not moved
    assert steps["reach"]["remind_at"] == "2026-11-24T20:00:00Z"  # 21:00 the evening before

    tuesday_0800 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert await sms_at(desk, datetime(2026, 11, 24, 2, 5, tzinfo=UTC)) == [], "03:05: quiet"
    assert await sms_at(desk, tuesday_0800 - timedelta(seconds=1)) == []
    [(to, body)] = await sms_at(desk, tuesday_0800)
    assert to == ada
    assert body == (
        f"Frist passert Fredrikstad 24.11. kl. 03.05: oppfølgingssteg ikke registrert. {link}"
    )
    await done(desk, case_id, "assess", by_member_id=str(desk.member(ADA)))

    tuesday_2100 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    assert await sms_at(desk, tuesday_2100 - timedelta(seconds=1)) == []
    [(to, body)] = await sms_at(desk, tuesday_2100)
    assert to == bo
    assert body == (
        f"Påminnelse Fredrikstad: oppfølging etter overdose har frist 25.11. kl. 01.40. {link}"
    )
    for night in (
        datetime(2026, 11, 24, 22, 40, tzinfo=UTC),  # 23:40: two hours before, quiet
        datetime(2026, 11, 25, 0, 40, tzinfo=UTC),  # 01:40: the deadline, quiet
        datetime(2026, 11, 25, 6, 59, 59, tzinfo=UTC),  # 07:59:59
    ):
        assert await sms_at(desk, night) == [], night
    [(to, body)] = await sms_at(desk, datetime(2026, 11, 25, 7, 0, tzinfo=UTC))  # 08:00
    assert to == ada
    assert body == (
        f"Frist passert Fredrikstad 25.11. kl. 01.40: oppfølgingssteg ikke registrert. {link}"
    )
    reach = next(s for s in (await read_case(desk, case_id))["steps"] if s["key"] == "reach")
    assert (reach["deadline"], reach["overdue"]) == ("2026-11-25T00:40:00Z", True)
    events = [e for e in (await read_case(desk, case_id))["events"] if e["step_key"] == "reach"]
    assert [(e["kind"], e["at"]) for e in events] == [
        ("reminded", "2026-11-24T20:00:00Z"),
        ("overdue_told", "2026-11-25T07:00:00Z"),
    ]
    # The page and the note that Bo took it went at 02:00; every follow-up SMS by day.
    followup_sms = desk.fake.messages()[2:]
    assert [m.received_at for m in followup_sms] == [
        tuesday_0800,
        tuesday_2100,
        datetime(2026, 11, 25, 7, 0, tzinfo=UTC),
    ]
    assert not any(deadlines.is_quiet(m.received_at) for m in followup_sms)
