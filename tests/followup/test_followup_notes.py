"""A step's note through the case API: refused with the person's name (as the alert names
them), kept sealed at rest, and its text shown only to readers with details access (the case
system; staff with a work need), while the rest of the municipality's staff see that a note
exists.

The team: Ada (leader), Bo and Cy. Bo takes the alert (the example alert: Ola Nordmann), and
so owns the case; Cy has no part in it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.followup.cases import notes
from app.privacy.crypto import DecryptionError
from app.state import AppState
from tests.followup.test_followup_cases import (
    alert,
    case_api,
    desk,
    read_case,
    record,
    steps_of,
    take,
)
from tests.followup.test_followup_staff_api import call, staff_token
from tests.migrations.test_migration_0006 import as_uuid, rows
from tests.problems import assert_problem
from tests.scenario import Scenario

__all__ = ["desk"]

NOTE = "Møtt på Stasjonen, ønsker hjelp med bolig"


def step(case: dict[str, Any], key: str) -> dict[str, Any]:
    return steps_of(case)[key]


def noted_events(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in case["events"] if e["has_note"]]


async def raw_notes(state: AppState) -> list[tuple[str, Any, Any]]:
    """Every row of both tables that holds notes, as stored (no model in between)."""
    found = [("step", *r) for r in await rows(state, "SELECT * FROM followup_step")]
    return found + [("event", *r) for r in await rows(state, "SELECT * FROM followup_event")]


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("note", "Ola var hjemme, ingen svar på døren"),
        ("note", "NORDMANN sov da vi kom"),
        ("outcome", "Samtale med Ola Nordmann"),
    ],
)
async def test_a_text_with_the_persons_name_is_refused(
    desk: Scenario, field: str, text: str
) -> None:
    case_id = await take(desk, await alert(desk))
    response = await record(desk, case_id, "reach", "done", **{field: text})
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == field
    assert "name" in error["reason"]
    for part in ("Ola", "Nordmann", "NORDMANN"):
        assert part not in response.text, "the refusal does not echo the name"
    case = await read_case(desk, case_id)
    assert step(case, "reach")["state"] == "open" and noted_events(case) == []


async def test_a_reason_to_close_with_the_persons_name_is_refused(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    closing = await case_api(desk, "POST", f"/{case_id}/closure", {"reason": "Ola har flyttet"})
    assert assert_problem(closing, 422)["errors"][0]["field"] == "reason"
    assert (await read_case(desk, case_id))["state"] == "open"
    street = await case_api(
        desk, "POST", f"/{case_id}/closure", {"reason": "Flyttet til Olavsgata"}
    )
    assert street.status_code == 200, "a part of a name counts as a whole word only"


async def test_a_note_is_kept_sealed(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    recorded = await record(desk, case_id, "reach", "not_reached", note=NOTE)
    assert recorded.status_code == 200, recorded.text

    stored = await raw_notes(desk.state)
    assert stored and all(NOTE not in str(row) and "Stasjonen" not in str(row) for row in stored)
    [(step_case, token)] = await rows(
        desk.state, "SELECT case_id, note_sealed FROM followup_step WHERE note_sealed IS NOT NULL"
    )
    assert as_uuid(step_case) == case_id
    assert desk.state.cipher.open(token, context=notes.context_of(case_id)) == NOTE
    [(event_token,)] = await rows(
        desk.state, "SELECT note_sealed FROM followup_event WHERE note_sealed IS NOT NULL"
    )
    assert desk.state.cipher.open(event_token, context=notes.context_of(case_id)) == NOTE
    other = uuid.uuid4()
    with pytest.raises(DecryptionError):
        desk.state.cipher.open(token, context=notes.context_of(other))


async def test_summary_access_sees_that_a_note_exists_details_access_sees_it(
    desk: Scenario,
) -> None:
    case_id = await take(desk, await alert(desk))
    ada, bo, cy = [await staff_token(desk, i) for i in range(3)]
    recorded = await call(
        desk, bo, "POST", f"/{case_id}/steps/reach/records", {"action": "done", "note": NOTE}
    )
    assert recorded.status_code == 200, recorded.text
    assert step(recorded.json(), "reach")["note"] == NOTE, "the owner reads their own note"

    summary = await call(desk, cy, "GET", f"/{case_id}")
    assert summary.status_code == 200, summary.text
    assert NOTE not in summary.text and "Stasjonen" not in summary.text
    reach = step(summary.json(), "reach")
    assert (reach["note"], reach["has_note"]) == (None, True)
    [event] = noted_events(summary.json())
    assert (event["kind"], event["note"]) == ("done", None)
    assert step(summary.json(), "assess")["has_note"] is False

    leader = (await call(desk, ada, "GET", f"/{case_id}")).json()
    for case in (leader, await read_case(desk, case_id)):  # the leader, and the case system
        assert (step(case, "reach")["note"], step(case, "reach")["has_note"]) == (NOTE, True)
        assert [e["note"] for e in noted_events(case)] == [NOTE]


async def test_a_member_without_a_work_need_writes_a_note_they_cannot_read_back(
    desk: Scenario,
) -> None:
    case_id = await take(desk, await alert(desk))
    cy = await staff_token(desk, 2)
    recorded = await call(
        desk, cy, "POST", f"/{case_id}/steps/reach/records", {"action": "done", "note": NOTE}
    )
    assert recorded.status_code == 200, recorded.text
    assert NOTE not in recorded.text
    assert step(recorded.json(), "reach")["has_note"] is True
    assert step(await read_case(desk, case_id), "reach")["note"] == NOTE
