"""Who is warned (issue 20 item 9, docs/rules.md "Who is warned"): the suggestion by kind of
warning (a pure table), and over HTTP the leader's choice, external recipients included: only
those chosen get the SMS, e-mail recipients are listed to be sent by e-mail."""

from __future__ import annotations

from typing import Any

import pytest

from app.drug_warnings.recipients import (
    Dispatch,
    WarningKind,
    default_kind,
    dispatch_list,
    recipients_of,
    suggested,
    unknown,
)
from tests.drug_warnings.test_drug_warnings import (
    BY,
    FEDERAL,
    as_admin,
    as_leader,
    draft_warning,
    make_cluster,
    sms_sent_to,
    world,
)
from tests.problems import assert_problem
from tests.scenario import Scenario

__all__ = ["world"]

FELT = {"name": "Feltpleien", "mobile": "+4795000001"}
"""Stored before issue 20: no kinds, so suggested for every kind."""
ROOM = {"name": "Sprøyterommet", "mobile": "+4795000002", "kinds": ["substance"]}
NAV = {"name": "NAV", "mobile": "+4795000003", "kinds": ["other"]}
OSLO = {
    "name": "Oslo kommune, Rusetaten",
    "municipality": "Oslo",
    "mobile": "+4795000301",
    "email": "varsel@rusetaten.example.no",
    "kinds": ["cluster", "substance"],
}
ONLY_MAIL = {"name": "Sarpsborg", "email": "rus@sarpsborg.example.no", "kinds": ["cluster"]}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            WarningKind.CLUSTER,
            [
                "sms:+4795000001",
                "sms:+4795000301",
                "email:varsel@rusetaten.example.no",
                "email:rus@sarpsborg.example.no",
            ],
        ),
        (
            WarningKind.SUBSTANCE,
            [
                "sms:+4795000001",
                "sms:+4795000002",
                "sms:+4795000301",
                "email:varsel@rusetaten.example.no",
            ],
        ),
        (WarningKind.OTHER, ["sms:+4795000001", "sms:+4795000003"]),
    ],
)
def test_the_suggestion_follows_the_kind(kind: WarningKind, expected: list[str]) -> None:
    listed = recipients_of([FELT, ROOM, NAV], [OSLO, ONLY_MAIL])
    assert suggested(listed, kind) == expected


@pytest.mark.parametrize(
    ("from_signal", "from_report", "kind"),
    [
        (True, False, WarningKind.CLUSTER),
        (True, True, WarningKind.CLUSTER),
        (False, True, WarningKind.SUBSTANCE),
        (False, False, WarningKind.OTHER),
    ],
)
def test_the_default_kind(from_signal: bool, from_report: bool, kind: WarningKind) -> None:
    assert default_kind(from_signal=from_signal, from_report=from_report) is kind


@pytest.mark.parametrize(
    ("chosen", "dispatched", "left_out"),
    [
        ([], [], ["sms:+4795000001", "sms:+4795000002"]),
        (["sms:+4795000001"], [("sms:+4795000001", Dispatch.SMS)], ["sms:+4795000002"]),
        (
            ["email:varsel@rusetaten.example.no", "sms:+4795000301"],
            [
                ("sms:+4795000301", Dispatch.SMS),
                ("email:varsel@rusetaten.example.no", Dispatch.BY_EMAIL),
            ],
            ["sms:+4795000001", "sms:+4795000002"],
        ),
    ],
)
def test_the_dispatch_list(
    chosen: list[str], dispatched: list[tuple[str, Dispatch]], left_out: list[str]
) -> None:
    listed = recipients_of([FELT, ROOM], [OSLO])
    suggestion = ["sms:+4795000001", "sms:+4795000002"]
    rows = dispatch_list(listed, set(chosen), set(suggestion))
    assert [(r["key"], r["dispatch"]) for r in rows if r["chosen"]] == dispatched
    assert [r["key"] for r in rows if not r["chosen"]] == left_out
    assert all(r["suggested"] == (r["key"] in suggestion) for r in rows)


def test_unknown_choices_are_named_by_position() -> None:
    listed = recipients_of([FELT], [OSLO])
    assert unknown(listed, ["sms:+4795000001", "sms:+4799999999", "email:x@y.no"]) == [1, 2]


async def set_recipients(world: Scenario, **document: Any) -> None:
    body = {"contacts": [FELT, ROOM, NAV], "neighbours": [], "external": [OSLO], **document}
    response = await world.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/warning-contacts",
        json=body,
        headers=await as_admin(world),
    )
    assert response.status_code == 200, response.text


async def test_the_leader_chooses_who_is_warned(world: Scenario) -> None:
    await set_recipients(world)
    signal = await make_cluster(world)
    draft = await draft_warning(world, signal_id=signal["id"])
    assert draft.status_code == 201, draft.text
    offered = draft.json()
    assert offered["kind"] == "cluster", "drafted from a signal"
    assert [(r["key"], r["suggested"]) for r in offered["recipients"]] == [
        ("sms:+4795000001", True),
        ("sms:+4795000002", False),
        ("sms:+4795000003", False),
        ("sms:+4795000301", True),
        ("email:varsel@rusetaten.example.no", True),
    ]
    assert all(r["chosen"] is None for r in offered["recipients"])

    url = f"/v1/drug-warnings/{offered['id']}/approve"
    refused = await world.http.post(
        url, json={"recipients": ["sms:+4799999999"], "by": BY}, headers=await as_leader(world)
    )
    assert assert_problem(refused, 422)["errors"][0]["field"] == "recipients.0"

    chosen = ["sms:+4795000002", "sms:+4795000301", "email:varsel@rusetaten.example.no"]
    approved = await world.http.post(
        url, json={"recipients": chosen, "by": BY}, headers=await as_leader(world)
    )
    assert approved.status_code == 200, approved.text
    answer = approved.json()
    assert answer["sms"]["pending"] == 2
    stored = {r["key"]: (r["chosen"], r["suggested"], r["dispatch"]) for r in answer["recipients"]}
    assert stored == {
        "sms:+4795000001": (False, True, None),
        "sms:+4795000002": (True, False, "sms"),
        "sms:+4795000301": (True, True, "sms"),
        "email:varsel@rusetaten.example.no": (True, True, "to_be_sent_by_email"),
    }
    everyone = ["+4795000001", "+4795000002", "+4795000003", "+4795000301"]
    await sms_sent_to(world, everyone)
    assert sorted(to for to, _ in world.sms() if to in everyone) == ["+4795000002", "+4795000301"]

    got = await world.http.get(f"/v1/drug-warnings/{offered['id']}", headers=await as_leader(world))
    assert got.json()["recipients"] == answer["recipients"], "the choice is stored"


async def test_without_a_choice_the_suggestion_is_sent(world: Scenario) -> None:
    await set_recipients(world)
    signal = await make_cluster(world)
    draft = await draft_warning(world, signal_id=signal["id"], kind="other")
    assert draft.json()["kind"] == "other"
    approved = await world.http.post(
        f"/v1/drug-warnings/{draft.json()['id']}/approve",
        json={"by": BY},
        headers=await as_leader(world),
    )
    assert approved.status_code == 200, approved.text
    everyone = ["+4795000001", "+4795000002", "+4795000003", "+4795000301"]
    await sms_sent_to(world, everyone)
    assert sorted(to for to, _ in world.sms() if to in everyone) == ["+4795000001", "+4795000003"]


async def test_external_recipients_are_checked(world: Scenario) -> None:
    url = f"/v1/admin/municipalities/{FEDERAL}/warning-contacts"
    for external, field in (
        ([{"name": "Oslo"}], "external.0"),
        ([{"name": "Oslo", "mobile": "12345"}], "external.0.mobile"),
        ([{"name": "Oslo", "email": "not an address"}], "external.0.email"),
        ([{"name": "Oslo", "mobile": FELT["mobile"]}], "external.0.mobile"),
        ([{"name": "A", "email": "a@b.no"}, {"name": "B", "email": "A@b.no"}], "external.1.email"),
    ):
        response = await world.http.put(
            url,
            json={"contacts": [FELT], "neighbours": [], "external": external},
            headers=await as_admin(world),
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == field, (external, problem)
