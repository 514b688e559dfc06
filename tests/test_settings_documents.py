"""Every settings document of the admin API (`app.settings_documents`), by one set of tests: the
default until the owner sets its own, a document replaced and read back, 404 for an unknown
owner and for another client's (which is left unchanged), 422 for a body the schema refuses
(nothing stored, and before any owner is looked up), and the `admin` scope.

What a document itself decides (triage's order of values, the districts of the cluster
rules, the members an escalation policy may name, ...) is tested beside its domain.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.answers.service import DEFAULT_OPTIONS
from app.auth.scopes import Scope
from app.settings_documents import DOCUMENTS
from tests.factories import ApiCredentials, Factory
from tests.problems import assert_problem

ADMIN = "/v1/admin"
OWN, OTHER, UNKNOWN = "3107", "0301", "9999"
"""Municipalities: the admin's own, another client's (served), one not served."""


@dataclass(frozen=True)
class Case:
    """One document: its name (its path below its owner), its default, and a valid body."""

    name: str
    default: Callable[[str], dict[str, Any]]
    """GET before the owner has set its own, given the owner's key."""
    body: dict[str, Any]
    answer: dict[str, Any] | None = None
    """What PUT and GET answer for `body`, where it is the same for every owner."""
    team: bool = False
    """Owned by a team (`/teams/{team_id}`), not by a municipality (`/municipalities/{code}`)."""


def _triage_default(code: str) -> dict[str, Any]:
    return {
        "municipality": code,
        "configured": False,
        "rules": [
            {
                "number": 1,
                "action": "working_hours",
                "outcomes": None,
                "destinations": ["hospital", "legevakt_admitted"],
                "severity_any": None,
                "first_contact_ward": True,
            }
        ],
        "working_hours": {
            "start": "08:00",
            "end": "15:30",
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "short_days": ["wednesday_before_maundy_thursday", "12-24", "12-31"],
            "short_day_end": "12:00",
            "closed_days": [],
        },
        "fatal": {
            "morning": "08:00",
            "evening": "22:00",
            "tell_at_night": False,
            "contact": None,
        },
        "updated_at": None,
    }


def _policy_default(team_id: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "configured": False,
        "steps": [
            {"delay_minutes": 5, "targets": [{"kind": "on_duty", "member_ids": []}]},
            {
                "delay_minutes": 5,
                "targets": [
                    {"kind": "on_duty", "member_ids": []},
                    {"kind": "leader", "member_ids": []},
                ],
            },
            {"delay_minutes": 10, "targets": [{"kind": "team", "member_ids": []}]},
        ],
        "repeat": 1,
        "fallback_number": None,
        "updated_at": None,
    }


OPTIONS = {
    "coming_minutes": [15, 30],
    "places": ["Stasjonen", "Traraveien 19"],
    "follow_up_when": ["i morgen tidlig"],
}
CONTACTS = {"contacts": [{"name": "Feltpleien vakttelefon", "mobile": "+4795000001"}]}

CASES = [
    Case(
        "triage",
        _triage_default,
        {
            "rules": [{"action": "page_now", "severity_any": ["cpr_given"]}],
            "working_hours": {"start": "07:45", "end": "16:00", "days": ["mon"]},
        },
    ),
    Case(
        "answer-options",
        lambda _: DEFAULT_OPTIONS.model_dump(),
        OPTIONS,
        answer=OPTIONS,
    ),
    Case(
        "followup-settings",
        lambda _: {
            "repeat_window_days": 30,
            "coordinating_unit": "koordinerende enhet",
            "configured": False,
            "updated_at": None,
        },
        {"repeat_window_days": 10, "coordinating_unit": "fagkonsulent rus"},
        answer={
            "repeat_window_days": 10,
            "coordinating_unit": "fagkonsulent rus",
            "configured": True,
            "updated_at": "2026-11-23T12:00:00Z",
        },
    ),
    Case(
        "warning-contacts",
        lambda _: {"contacts": [], "neighbours": [], "external": []},
        {**CONTACTS, "neighbours": [OTHER]},
        answer={
            "contacts": [
                {**c, "kinds": ["cluster", "substance", "other"]} for c in CONTACTS["contacts"]
            ],
            "neighbours": [OTHER],
            "external": [],
        },
    ),
    Case(
        "cluster-rules",
        lambda _: {
            "rules": [
                {"area": "municipality", "min_count": 3, "window_hours": 6.0, "radius_km": None}
            ],
            "districts": [],
            "configured": False,
        },
        {"rules": [{"area": "municipality", "min_count": 4, "window_hours": 6}]},
        answer={
            "rules": [
                {"area": "municipality", "min_count": 4, "window_hours": 6.0, "radius_km": None}
            ],
            "districts": [],
            "configured": True,
        },
    ),
    Case(
        "written-standard",
        lambda _: {"written_standard": "nb"},
        {"written_standard": "nn"},
        answer={"written_standard": "nn"},
    ),
    Case(
        "retention",
        lambda _: {"case_days": None, "configured": False, "updated_at": None},
        {"case_days": 30},
        answer={"case_days": 30, "configured": True, "updated_at": "2026-11-23T12:00:00Z"},
    ),
    Case(
        "escalation-policy",
        _policy_default,
        {"steps": [{"delay_minutes": 5, "targets": [{"kind": "on_duty"}]}], "repeat": 0},
        team=True,
    ),
]


@dataclass
class Owners:
    """The admin of `OWN` and the admin of `OTHER`, and the URLs of a document for each."""

    http: httpx.AsyncClient
    case: Case
    own: ApiCredentials
    other: ApiCredentials
    keys: dict[str, str]
    """By municipality code: the owner's key in the path (the municipality's team's id, for
    a team's document)."""

    def url(self, code: str) -> str:
        owner = "teams" if self.case.team else "municipalities"
        return f"{ADMIN}/{owner}/{self.keys[code]}/{self.case.name}"

    async def get(self, code: str, who: ApiCredentials | None = None) -> httpx.Response:
        return await self.http.get(self.url(code), headers=(who or self.own).headers)

    async def put(
        self, code: str, body: dict[str, Any], who: ApiCredentials | None = None
    ) -> httpx.Response:
        return await self.http.put(self.url(code), json=body, headers=(who or self.own).headers)


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
async def owners(
    request: pytest.FixtureRequest, factory: Factory, http: httpx.AsyncClient
) -> Owners:
    case: Case = request.param
    own, other = await factory.admin_client((OWN,)), await factory.admin_client((OTHER,))
    keys = {OWN: OWN, OTHER: OTHER, UNKNOWN: UNKNOWN}
    if case.team:
        keys[OWN] = str((await factory.team(municipality=OWN)).team_id)
        keys[OTHER] = str((await factory.team(municipality=OTHER, name="Oslo")).team_id)
        keys[UNKNOWN] = str(uuid.UUID(int=7))
    return Owners(http, case, own, other, keys)


def test_every_registered_document_is_tested() -> None:
    assert sorted(DOCUMENTS) == sorted(case.name for case in CASES)


async def test_the_default_until_the_owner_sets_its_own(owners: Owners) -> None:
    got = await owners.get(OWN)
    assert got.status_code == 200, got.text
    assert got.json() == owners.case.default(owners.keys[OWN])


async def test_a_document_is_replaced_and_read_back(owners: Owners) -> None:
    put = await owners.put(OWN, owners.case.body)
    assert put.status_code == 200, put.text
    assert (await owners.get(OWN)).json() == put.json()
    if owners.case.answer is not None:
        assert put.json() == owners.case.answer
    if "configured" in put.json():
        assert put.json()["configured"] is True
    # The other owner keeps its default.
    other = await owners.get(OTHER, owners.other)
    assert other.json() == owners.case.default(owners.keys[OTHER])


async def test_an_unknown_owner_is_not_found(owners: Owners) -> None:
    assert_problem(await owners.get(UNKNOWN), 404)
    assert_problem(await owners.put(UNKNOWN, owners.case.body), 404)


async def test_another_clients_owner_is_not_found_and_unchanged(owners: Owners) -> None:
    """The same answer as for an owner that does not exist, so codes and ids reveal nothing."""
    unknown = assert_problem(await owners.get(UNKNOWN), 404)
    refused = assert_problem(await owners.get(OTHER), 404)
    assert refused["title"] == unknown["title"] and refused["type"] == unknown["type"]
    assert_problem(await owners.put(OTHER, owners.case.body), 404)
    other = await owners.get(OTHER, owners.other)
    assert other.json() == owners.case.default(owners.keys[OTHER]), (
        "the refused PUT changed nothing"
    )


async def test_a_bad_body_is_refused_and_nothing_is_stored(owners: Owners) -> None:
    problem = assert_problem(await owners.put(OWN, {**owners.case.body, "colour": "red"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["colour"]
    assert_problem(await owners.put(OWN, {}), 422)
    assert (await owners.get(OWN)).json() == owners.case.default(owners.keys[OWN])


async def test_a_bad_body_is_refused_before_the_owner_is_looked_up(owners: Owners) -> None:
    """FastAPI validates the body first; the owner is checked in the route's transaction."""
    for code in (OTHER, UNKNOWN):
        assert_problem(await owners.put(code, {**owners.case.body, "colour": "red"}), 422)


async def test_the_admin_scope_is_needed(owners: Owners, factory: Factory) -> None:
    case_system = await factory.api_client(municipalities=(OWN,), scopes=(Scope.ALERTS_DETAILS,))
    assert_problem(await owners.get(OWN, case_system), 403)
    assert_problem(await owners.put(OWN, owners.case.body, case_system), 403)
    assert_problem(await owners.http.get(owners.url(OWN)), 401)
    assert_problem(await owners.http.put(owners.url(OWN), json=owners.case.body), 401)
