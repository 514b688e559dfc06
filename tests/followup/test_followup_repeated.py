"""Repeated overdoses: the rule (pure, table-tested at the window's edges) and the survivor
case it marks a serious crisis, with extra steps and an SMS to the leader.

The same person is recognised only through the keyed hash of the national id, in any
municipality; an alert without one (no national id, objected, identity purged) never links.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from app.alerts.models import Alert
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.followup import repeated, texts
from app.followup.cases import crisis
from app.followup.cases.models import FollowupCase, FollowupEvent, FollowupStep
from app.followup.template_schema import OwnerRole
from app.notify.models import OutboxMessage
from app.state import AppState
from tests.factories import Factory
from tests.personal_data import NAME, NATIONAL_ID, RECOGNISABLE, personal_body
from tests.problems import assert_problem
from tests.scenario import Scenario

# The rule

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = repeated.REPEAT_WINDOW
CURRENT_ID = uuid.UUID(int=1)


def overdose(
    at: datetime, *, hash_: str | None = "h1", fatal: bool = False, n: int = 2
) -> repeated.Overdose:
    return repeated.Overdose(uuid.UUID(int=n), hash_, at, fatal)


CURRENT = repeated.Overdose(CURRENT_ID, "h1", T0, False)


TEN_DAYS = timedelta(days=10)


@pytest.mark.parametrize(
    ("current", "others", "count"),
    [
        pytest.param(CURRENT, [], 1, id="none-earlier"),
        pytest.param(CURRENT, [overdose(T0)], 2, id="same-instant"),
        pytest.param(CURRENT, [overdose(T0 - timedelta(hours=3))], 2, id="same-day"),
        pytest.param(CURRENT, [overdose(T0 - WINDOW)], 2, id="exactly-at-the-edge"),
        pytest.param(
            CURRENT, [overdose(T0 - WINDOW - timedelta(seconds=1))], 1, id="one-second-outside"
        ),
        pytest.param(CURRENT, [overdose(T0 - timedelta(days=1), fatal=True)], 1, id="fatal"),
        pytest.param(CURRENT, [overdose(T0 - timedelta(days=1), hash_="h2")], 1, id="other-person"),
        pytest.param(CURRENT, [overdose(T0 - timedelta(days=1), hash_=None)], 1, id="no-hash"),
        pytest.param(CURRENT, [overdose(T0 + timedelta(seconds=1))], 1, id="later-not-counted"),
        pytest.param(
            CURRENT,
            [repeated.Overdose(CURRENT_ID, "h1", T0, False)],
            1,
            id="itself-not-counted",
        ),
        pytest.param(
            CURRENT,
            [overdose(T0 - timedelta(days=2), n=2), overdose(T0 - timedelta(days=9), n=3)],
            3,
            id="three",
        ),
        pytest.param(
            repeated.Overdose(CURRENT_ID, None, T0, False),
            [overdose(T0 - timedelta(days=1), hash_=None)],
            0,
            id="current-without-hash",
        ),
        pytest.param(
            repeated.Overdose(CURRENT_ID, "h1", T0, True),
            [overdose(T0 - timedelta(days=1))],
            0,
            id="current-fatal",
        ),
    ],
)
def test_repeat_count(
    current: repeated.Overdose, others: list[repeated.Overdose], count: int
) -> None:
    assert repeated.repeat_count(current, others, window=WINDOW) == count
    assert repeated.is_serious_crisis(count) is (count >= 2)


@pytest.mark.parametrize(
    ("window", "earlier", "count"),
    [
        pytest.param(TEN_DAYS, T0 - TEN_DAYS, 2, id="10-days-at-the-edge"),
        pytest.param(TEN_DAYS, T0 - TEN_DAYS - timedelta(seconds=1), 1, id="10-days-and-1-s"),
        pytest.param(TEN_DAYS, T0 - timedelta(days=20), 1, id="10-days-20-back"),
        pytest.param(WINDOW, T0 - timedelta(days=20), 2, id="default-20-back"),
        pytest.param(timedelta(days=1), T0 - timedelta(days=1), 2, id="1-day-at-the-edge"),
        pytest.param(timedelta(days=365), T0 - timedelta(days=365), 2, id="365-days-at-the-edge"),
        pytest.param(
            timedelta(days=365), T0 - timedelta(days=365, seconds=1), 1, id="365-days-and-1-s"
        ),
    ],
)
def test_repeat_count_by_the_municipalitys_window(
    window: timedelta, earlier: datetime, count: int
) -> None:
    assert repeated.repeat_count(CURRENT, [overdose(earlier)], window=window) == count


def test_extra_steps_leave_out_keys_the_case_has() -> None:
    keys = [s.key for s in repeated.extra_steps(["repeat_urgent_meeting"]).steps]
    assert keys == ["repeat_concern_report", "repeat_consider_chapter10"]


def test_crisis_text_is_one_segment_without_the_person() -> None:
    link = texts.case_link("https://odvarsel.fredrikstad.no", uuid.uuid4())
    body = texts.crisis_text(municipality_name="Fredrikstad", deadline=T0, link=link)
    assert body.startswith("Alvorlig krise Fredrikstad: gjentatt overdose,") and link in body
    english = texts.crisis_text(
        municipality_name="Fredrikstad", deadline=T0, link=link, language="en"
    )
    assert english.startswith("Serious crisis Fredrikstad")
    nynorsk = texts.crisis_text(
        municipality_name="Fredrikstad", deadline=T0, link=link, language="nn"
    )
    assert nynorsk.startswith("Alvorleg krise Fredrikstad: gjenteken overdose,")
    longest = "https://" + "x" * 25 + texts.CASE_PATH + str(uuid.uuid4())  # a 33-character base
    for language in ("nb", "nn", "en"):
        text = texts.crisis_text(
            municipality_name="Nordre Follo", deadline=T0, link=longest, language=language
        )
        assert longest in text and len(text) <= 160


# The service

EXTRA = ["repeat_concern_report", "repeat_urgent_meeting", "repeat_consider_chapter10"]
FREDRIKSTAD, OSLO = "3107", "0301"


FREDRIKSTAD_TEAM, OSLO_TEAM = 0, 1
"""The teams in the order the `desk` fixture makes them (Ada and Oda lead)."""


@pytest.fixture
async def desk(scenario: Scenario) -> Scenario:
    """Two municipalities' teams, one AMK sending to both."""
    scenario.municipalities = (FREDRIKSTAD, OSLO)
    await scenario.team(municipality=FREDRIKSTAD)
    await scenario.team(municipality=OSLO, member_names=("Oda Berg", "Per Ruud"))
    return scenario


async def post_alert(
    desk: Scenario,
    *,
    municipality: str = FREDRIKSTAD,
    national_id: str | None = NATIONAL_ID,
    **overrides: Any,
) -> uuid.UUID:
    """An overdose of the person (with their national id, unless None) 20 minutes ago."""
    body = personal_body(municipality=municipality, **overrides)
    if national_id is None:
        del body["person"]["national_id"]
    return await desk.alert(body=body, ago=timedelta(minutes=20))


async def take(desk: Scenario, alert_id: uuid.UUID) -> FollowupCase | None:
    """The alert's municipality's second member takes it; its case opens."""
    async with desk.state.sessions() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None
        municipality = alert.municipality_code
    team = desk.teams[FREDRIKSTAD_TEAM if municipality == FREDRIKSTAD else OSLO_TEAM]
    return await desk.take(alert_id, team.member_ids[1])


async def step_keys(desk: Scenario, case_id: uuid.UUID) -> list[str]:
    async with desk.state.sessions() as session:
        rows = await session.execute(
            select(col(FollowupStep.key))
            .where(col(FollowupStep.case_id) == case_id)
            .order_by(col(FollowupStep.position))
        )
        return list(rows.scalars())


async def crisis_sms(desk: Scenario) -> list[OutboxMessage]:
    async with desk.state.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage).where(col(OutboxMessage.purpose) == crisis.CRISIS_PURPOSE)
        )
        return list(rows.scalars())


async def hash_of(desk: Scenario, alert_id: uuid.UUID) -> str | None:
    async with desk.state.sessions() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None
        return alert.national_id_hash


async def test_second_alert_within_the_window_marks_the_case(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    first = await post_alert(desk)
    case = await take(desk, first)
    assert case is not None and not case.serious_crisis and case.repeated_overdoses == 0
    assert not set(EXTRA) & set(await step_keys(desk, case.id))

    clock.advance(timedelta(days=12))
    second = await post_alert(desk)
    crisis = await take(desk, second)
    assert crisis is not None
    assert (crisis.serious_crisis, crisis.repeated_overdoses) == (True, 2)
    keys = await step_keys(desk, crisis.id)
    assert keys[-3:] == EXTRA  # after the template's own steps
    async with state.sessions() as session:
        steps = {
            s.key: s
            for s in (
                await session.execute(
                    select(FollowupStep).where(col(FollowupStep.case_id) == crisis.id)
                )
            ).scalars()
        }
        events = [
            e.kind
            for e in (
                await session.execute(
                    select(FollowupEvent)
                    .where(col(FollowupEvent.case_id) == crisis.id)
                    .order_by(col(FollowupEvent.seq))
                )
            ).scalars()
        ]
    leader = desk.teams[FREDRIKSTAD_TEAM].leader_id
    for key in EXTRA:
        assert steps[key].active
    # The coordinating unit convenes the meeting, not the leader: the leader assigns it.
    assert steps["repeat_urgent_meeting"].owner_role == "team"
    assert steps["repeat_urgent_meeting"].owner_member_id is None
    assert "koordinerende enhet kaller inn" in steps["repeat_urgent_meeting"].title
    assert "fastlegen eller koordinerende enhet" in steps["repeat_concern_report"].title
    for key in ("repeat_concern_report", "repeat_consider_chapter10"):
        assert steps[key].owner_member_id == leader
    guidance = (steps["repeat_consider_chapter10"].guidance or "").lower()
    assert "barneverns- og helsenemnda" in guidance and "ikke et vedtak" in guidance
    assert events == ["opened", "serious_crisis"]

    [sms] = await crisis_sms(desk)
    assert sms.member_id == leader and sms.subject_id == crisis.id
    assert leader is not None and sms.to_number == desk.teams[FREDRIKSTAD_TEAM].mobiles[leader]
    assert sms.body.startswith("Alvorlig krise Fredrikstad")
    assert texts.case_link(state.settings.http.public_base_url, crisis.id) in sms.body
    assert not any(value in sms.body for value in RECOGNISABLE)
    assert NAME not in sms.body

    third_case = await take(desk, await post_alert(desk))
    assert third_case is not None and third_case.repeated_overdoses == 3


async def test_at_the_edge_of_the_window_links_and_a_second_later_does_not(
    desk: Scenario, clock: FakeClock
) -> None:
    await post_alert(desk)
    clock.advance(WINDOW)  # each alert's overdose was 20 minutes before it was sent
    at_edge = await take(desk, await post_alert(desk))
    assert at_edge is not None and at_edge.repeated_overdoses == 2

    clock.advance(WINDOW + timedelta(seconds=1))  # the edge alert is a second outside
    outside = await take(desk, await post_alert(desk))
    assert outside is not None and not outside.serious_crisis


async def test_outside_the_window_the_case_is_not_marked(desk: Scenario, clock: FakeClock) -> None:
    await take(desk, await post_alert(desk))
    clock.advance(WINDOW + timedelta(hours=1))
    case = await take(desk, await post_alert(desk))
    assert case is not None and not case.serious_crisis
    assert not set(EXTRA) & set(await step_keys(desk, case.id))
    assert await crisis_sms(desk) == []


async def test_a_fatal_earlier_alert_is_not_counted(desk: Scenario, clock: FakeClock) -> None:
    fatal = await post_alert(desk, kind="fatal", clinical={"outcome": "deceased"})
    assert await hash_of(desk, fatal) is not None
    clock.advance(timedelta(days=1))
    case = await take(desk, await post_alert(desk))
    assert case is not None and not case.serious_crisis


async def test_objected_and_identity_less_alerts_never_link(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    objected = await post_alert(desk, consent={"state": "objected"})
    assert await hash_of(desk, objected) is None
    assert await take(desk, objected) is None  # no case at all: nobody may act on it
    no_id = await post_alert(desk, national_id=None)
    assert await hash_of(desk, no_id) is None
    case = await take(desk, no_id)
    assert case is not None and not case.serious_crisis
    clock.advance(timedelta(hours=2))
    case = await take(desk, await post_alert(desk, national_id=None))
    assert case is not None and not case.serious_crisis  # two without an id: no link
    case = await take(desk, await post_alert(desk))
    assert case is not None and not case.serious_crisis  # the first with an id
    assert await crisis_sms(desk) == []


async def test_a_purged_identity_never_links(
    desk: Scenario, state: AppState, clock: FakeClock
) -> None:
    first = await post_alert(desk)
    async with state.sessions() as session, session.begin():
        alert = await session.get(Alert, first)
        assert alert is not None and alert.national_id_hash is not None
        alert.national_id_hash = None  # as a supplement that purges the identity leaves it
    clock.advance(timedelta(days=1))
    case = await take(desk, await post_alert(desk))
    assert case is not None and not case.serious_crisis


async def test_alerts_in_two_municipalities_link(
    desk: Scenario, factory: Factory, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    await take(desk, await post_alert(desk, municipality=OSLO))
    clock.advance(timedelta(days=3))
    case = await take(desk, await post_alert(desk, municipality=FREDRIKSTAD))
    assert case is not None and case.municipality_code == FREDRIKSTAD
    assert (case.serious_crisis, case.repeated_overdoses) == (True, 2)
    [sms] = await crisis_sms(desk)
    assert sms.member_id == desk.teams[FREDRIKSTAD_TEAM].leader_id  # the case's leader, not Oslo's
    case_system = await factory.api_client(scopes=(Scope.ALERTS_DETAILS,))
    response = await http.get(f"/v1/cases/{case.id}", headers=case_system.headers)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["serious_crisis"], shown["repeated_overdoses"]) == (True, 2)
    assert [s["key"] for s in shown["steps"]][-3:] == EXTRA


# Each municipality's window (admin API: /v1/admin/municipalities/{code}/followup-settings)

SETTINGS = "/v1/admin/municipalities/{code}/followup-settings"


async def set_window(
    factory: Factory, http: httpx.AsyncClient, code: str, days: int
) -> dict[str, Any]:
    admin = await factory.admin_client(municipalities=(code,))
    response = await http.put(
        SETTINGS.format(code=code), json={"repeat_window_days": days}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def crisis_outcome(state: AppState, case_id: uuid.UUID) -> str | None:
    async with state.sessions() as session:
        rows = await session.execute(
            select(col(FollowupEvent.outcome)).where(
                col(FollowupEvent.case_id) == case_id, col(FollowupEvent.kind) == "serious_crisis"
            )
        )
        return rows.scalar_one_or_none()


async def test_a_ten_day_window_counts_ten_days_back_and_not_a_second_more(
    desk: Scenario, factory: Factory, http: httpx.AsyncClient, state: AppState, clock: FakeClock
) -> None:
    await set_window(factory, http, FREDRIKSTAD, 10)
    await take(desk, await post_alert(desk))
    clock.advance(timedelta(days=10))  # each alert's overdose was 20 minutes before it was sent
    at_edge = await take(desk, await post_alert(desk))
    assert at_edge is not None and (at_edge.serious_crisis, at_edge.repeated_overdoses) == (
        True,
        2,
    )
    assert await crisis_outcome(state, at_edge.id) == "2 ikke-dødelige overdoser innen 10 dager"

    clock.advance(timedelta(days=10, seconds=1))  # the edge alert is a second outside
    outside = await take(desk, await post_alert(desk))
    assert outside is not None and not outside.serious_crisis  # 30 days would have linked
    assert not set(EXTRA) & set(await step_keys(desk, outside.id))
    assert len(await crisis_sms(desk)) == 1


async def test_the_window_of_the_municipality_whose_case_opens_applies(
    desk: Scenario, factory: Factory, http: httpx.AsyncClient, state: AppState, clock: FakeClock
) -> None:
    await set_window(factory, http, OSLO, 10)  # Fredrikstad keeps the default, 30 days
    await take(desk, await post_alert(desk, municipality=FREDRIKSTAD))
    clock.advance(timedelta(days=15))
    in_oslo = await take(desk, await post_alert(desk, municipality=OSLO))
    assert in_oslo is not None and not in_oslo.serious_crisis  # 15 days: outside Oslo's 10

    clock.advance(timedelta(days=1))
    in_fredrikstad = await take(desk, await post_alert(desk, municipality=FREDRIKSTAD))
    assert in_fredrikstad is not None
    # Within Fredrikstad's 30 days: its own alert 16 days back and Oslo's a day back count.
    assert (in_fredrikstad.serious_crisis, in_fredrikstad.repeated_overdoses) == (True, 3)
    assert await crisis_outcome(state, in_fredrikstad.id) == (
        "3 ikke-dødelige overdoser innen 30 dager"
    )

    clock.advance(timedelta(days=5))
    again_in_oslo = await take(desk, await post_alert(desk, municipality=OSLO))
    assert again_in_oslo is not None
    # Oslo's 10 days: its own 6 days back and Fredrikstad's 5 days back; not the first, 21.
    assert (again_in_oslo.serious_crisis, again_in_oslo.repeated_overdoses) == (True, 3)
    assert await crisis_outcome(state, again_in_oslo.id) == (
        "3 ikke-dødelige overdoser innen 10 dager"
    )
    [_, sms] = sorted(await crisis_sms(desk), key=lambda m: m.created_at)
    assert sms.member_id == desk.teams[OSLO_TEAM].leader_id


async def test_a_later_change_of_the_settings_is_dated(
    factory: Factory, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    """The document itself, default and scope: tests/test_settings_documents.py."""
    credentials = await factory.admin_client(municipalities=(FREDRIKSTAD,))
    url = SETTINGS.format(code=FREDRIKSTAD)
    put = await http.put(url, json={"repeat_window_days": 10}, headers=credentials.headers)
    assert put.json()["updated_at"] == "2026-11-23T12:00:00Z"

    clock.advance(timedelta(hours=1))
    credentials.token = await factory.token(credentials)  # the first one has expired
    changed = await http.put(url, json={"repeat_window_days": 365}, headers=credentials.headers)
    assert changed.json() == {
        "repeat_window_days": 365,
        "coordinating_unit": "koordinerende enhet",
        "configured": True,
        "updated_at": "2026-11-23T13:00:00Z",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"repeat_window_days": 0},
        {"repeat_window_days": 366},
        {"repeat_window_days": -10},
        {"repeat_window_days": 10.5},
        {"repeat_window_days": "10"},
        {"repeat_window_days": True},
        {"repeat_window_days": None},
        {},
        {"repeat_window_days": 10, "fatal_window_days": 10},
    ],
)
async def test_an_invalid_window_is_refused(
    factory: Factory, http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    admin = (await factory.admin_client()).headers
    url = SETTINGS.format(code=FREDRIKSTAD)
    problem = assert_problem(await http.put(url, json=body, headers=admin), 422)
    assert problem["errors"]
    assert (await http.get(url, headers=admin)).json()["configured"] is False


async def test_the_leader_hears_of_a_crisis_opened_at_night_at_eight(
    desk: Scenario, clock: FakeClock
) -> None:
    await take(desk, await post_alert(desk))
    oslo = ZoneInfo("Europe/Oslo")
    local = clock.now().astimezone(oslo)
    night = (local + timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    clock.advance(night - local)
    crisis = await take(desk, await post_alert(desk))
    assert crisis is not None and crisis.serious_crisis
    [sms] = await crisis_sms(desk)
    assert sms.due_at.astimezone(oslo) == night.replace(hour=8)


@pytest.mark.parametrize(
    ("unit", "meeting", "report"),
    [
        (
            repeated.DEFAULT_COORDINATING_UNIT,
            "Hastemøte: koordinerende enhet kaller inn tjenestene",
            "Bekymringsmelding sendes fastlegen eller koordinerende enhet",
        ),
        (
            "fagkonsulent rus",
            "Hastemøte: fagkonsulent rus kaller inn tjenestene",
            "Bekymringsmelding sendes fastlegen eller fagkonsulent rus",
        ),
    ],
)
def test_the_coordinating_unit_convenes_the_meeting(unit: str, meeting: str, report: str) -> None:
    template = repeated.extra_steps([], coordinating_unit=unit)
    steps = {s.key: s for s in template.steps}
    assert steps["repeat_urgent_meeting"].title == meeting
    assert steps["repeat_urgent_meeting"].owner is OwnerRole.TEAM, "not the team leader"
    assert (steps["repeat_urgent_meeting"].guidance or "").startswith(unit[:1].upper() + unit[1:])
    assert steps["repeat_concern_report"].title == report
