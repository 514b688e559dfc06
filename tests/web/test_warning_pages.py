"""Staff act on drug warnings from their phone (`app.web.warnings`): any member files a
concern report; the leader drafts a warning from a signal or a report, edits it, approves it
(the contact list's SMS are enqueued), dismisses a signal, reviews an expired warning. Every
POST checks the session's CSRF token and answers 303 back to `/a/cases` (PRG); refusals are
pages, and nothing is stored; members get 403, another municipality's ids 404.

Fredrikstad (3107) is the team's (Ada leads, Bo and Cy are members); Oslo (0301) lists
Fredrikstad as its neighbour, and Fredrikstad lists Oslo (`with_contacts`).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, timedelta
from typing import TypeVar

import httpx
from fastapi import FastAPI
from sqlmodel import SQLModel, select

from app.clock import FakeClock
from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.signals.models import Signal
from app.drug_warnings.warnings.models import DrugWarning, IncomingWarning
from app.i18n import day_and_month, moment
from app.notify.models import OutboxMessage
from app.notify.texts import OSLO
from app.state import AppState
from tests.factories import Factory
from tests.personal_data import NAME, NATIONAL_ID, PHONE_TYPED, personal_body
from tests.scenario import Scenario
from tests.staff_auth import browser_client, csrf_of
from tests.web.test_case_pages import signed_in
from tests.web.test_leader_overview import (
    FEDERAL,
    IN_FORCE_TEXT,
    NEIGHBOUR,
    approve_warning,
    draft_warning,
    raise_cluster,
    section,
    start_warnings,
)

CONTACT = "+4790000001"
SECOND_CONTACT = "+4790000002"
WARNING_TEXT = "Flere overdoser siste døgn i sentrum. Mulig sterkt opioid. Ikke bruk alene."
EDITED_TEXT = "Flere overdoser siste døgn. Sterkt opioid solgt som heroin. Ha nalokson klar."
CONCERN_TEXT = "Blå tabletter merket M30 selges som oksykodon ved Torget; to ble tungpustne."
SIGNIN = "/a/s/signin"
Row = TypeVar("Row", bound=SQLModel)


async def with_contacts(factory: Factory) -> None:
    """Fredrikstad's warnings reach two contacts by SMS and Oslo's leader in her list."""
    admin = await factory.admin_client((FEDERAL,))
    body = {
        "contacts": [
            {"name": "Feltpleien vakttelefon", "mobile": CONTACT},
            {"name": "Sprøyterommet", "mobile": SECOND_CONTACT},
        ],
        "neighbours": [NEIGHBOUR],
    }
    put = await factory.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/warning-contacts", json=body, headers=admin.headers
    )
    assert put.status_code == 200, put.text


async def rows(state: AppState, model: type[Row]) -> list[Row]:
    """Every stored row of `model`."""
    async with state.sessions() as session:
        return list((await session.execute(select(model))).scalars())


async def the_signal(state: AppState) -> Signal:
    [signal] = await rows(state, Signal)
    return signal


async def csrf(client: httpx.AsyncClient) -> str:
    """The session's CSRF token, from a page every member may open."""
    return csrf_of((await client.get("/a/concerns/new")).text)


def until(clock: FakeClock, days: int) -> str:
    """The day a warning approved now is in force until, as its SMS writes it."""
    return day_and_month(clock.now() + timedelta(days=days), "nb")


def done_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = re.fullmatch(r"/a/cases\?done=(\w+)#done", location)
    assert match, location
    return match.group(1)


async def test_a_member_files_a_concern_report_and_the_leader_sees_it(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    async with browser_client(app) as bo, browser_client(app) as ada, browser_client(app) as cy:
        await signed_in(bo, state, clock, team, 1)
        cases = await bo.get("/a/cases")
        assert 'href="/a/concerns/new"' in cases.text
        assert "Meld bekymring om farlig stoff" in cases.text
        form = await bo.get("/a/concerns/new")
        assert form.status_code == 200
        observed = (clock.now() - timedelta(minutes=90)).astimezone(OSLO)
        assert 'name="substances" value="heroin"' in form.text and "andre opioider" in form.text

        filed = await bo.post(
            "/a/concerns",
            data={
                "csrf": csrf_of(form.text),
                "description": CONCERN_TEXT,
                "substances": ["other_opioid", "unknown_or_new"],
                "observed_at": f"{observed:%Y-%m-%dT%H:%M}",  # Oslo time, from the phone
            },
        )
        assert filed.status_code == 303, filed.text
        [report] = await rows(state, ConcernReport)
        assert filed.headers["location"] == f"/a/concerns/{report.id}"
        assert report.member_id == team.member_ids[1] and report.client_id is None
        assert report.reporter_kind == "municipal_staff"
        assert report.municipality_code == FEDERAL
        assert report.description == CONCERN_TEXT
        assert report.substances == ["other_opioid", "unknown_or_new"]
        assert report.observed_at == observed.replace(second=0, microsecond=0)

        confirmation = await bo.get(filed.headers["location"])
        assert confirmation.status_code == 200
        assert "Meldingen er sendt til lederen" in confirmation.text
        assert CONCERN_TEXT in confirmation.text and moment(observed, "nb") in confirmation.text

        await signed_in(cy, state, clock, team, 2)  # another member: not hers to read
        assert (await cy.get(filed.headers["location"])).status_code == 404

        await signed_in(ada, state, clock, team, 0)
        reports = section((await ada.get("/a/cases")).text, "section", "overview-reports")
        assert CONCERN_TEXT in reports and "andre opioider, ukjent eller nytt stoff" in reports
        assert f'href="/a/warnings/new?report={report.id}"' in reports
        assert (await ada.get(filed.headers["location"])).status_code == 200


async def test_a_refused_concern_report_keeps_the_text_and_stores_nothing(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        token = await csrf(bo)
        typed = f"Ring {PHONE_TYPED} om stoffet"
        refused = await bo.post(
            "/a/concerns",
            data={"csrf": token, "description": typed, "substances": ["heroin"]},
        )
        assert refused.status_code == 422
        assert "telefonnummer" in refused.text and 'id="concern-error"' in refused.text
        assert typed in refused.text  # kept for the member to correct
        assert 'value="heroin" checked' in refused.text

        with_id = await bo.post(
            "/a/concerns", data={"csrf": token, "description": f"Fnr {NATIONAL_ID} kjøpte"}
        )
        assert with_id.status_code == 422 and "fødselsnummer" in with_id.text

        later = (clock.now() + timedelta(hours=3)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        future = await bo.post(
            "/a/concerns",
            data={"csrf": token, "description": CONCERN_TEXT, "observed_at": later},
        )
        assert future.status_code == 422 and "fram i tid" in future.text
        assert CONCERN_TEXT in future.text

        short = await bo.post("/a/concerns", data={"csrf": token, "description": "x"})
        assert short.status_code == 422 and "for kort" in short.text
        odd = await bo.post(
            "/a/concerns",
            data={"csrf": token, "description": CONCERN_TEXT, "substances": ["sugar"]},
        )
        assert odd.status_code == 422
        for byte in ("\x00", "\x1b", "\x7f"):  # what no database or page should hold
            control = await bo.post(
                "/a/concerns", data={"csrf": token, "description": CONCERN_TEXT + byte}
            )
            assert control.status_code == 422, byte
    assert await rows(state, ConcernReport) == []


async def test_the_leader_drafts_from_a_signal_edits_approves_and_the_sms_are_enqueued(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    await with_contacts(factory)
    await raise_cluster(warner, body=personal_body)  # with a name, a national id and a phone
    signal = await the_signal(state)
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        cases = await ada.get("/a/cases")
        signals = section(cases.text, "section", "overview-signals")
        assert f'href="/a/warnings/new?signal={signal.id}"' in signals
        form = await ada.get(f"/a/warnings/new?signal={signal.id}")
        assert form.status_code == 200
        assert "3 overdoser innen 6 timer" in form.text
        token = csrf_of(form.text)

        drafted = await ada.post(
            "/a/warnings",
            data={
                "csrf": token,
                "signal_id": str(signal.id),
                "text": WARNING_TEXT,
                "valid_days": "14",
            },
        )
        assert done_of(drafted) == "drafted"
        [warning] = await rows(state, DrugWarning)
        assert warning.status == "draft" and warning.signal_id == signal.id
        assert warning.member_id == team.member_ids[0] and warning.client_id is None
        assert warning.created_by == "Ada Lund (leder)"
        assert (await the_signal(state)).status == "warned"
        assert await rows(state, OutboxMessage) == [], "a draft reaches nobody"

        page = (await ada.get(drafted.headers["location"])).text
        assert 'id="done"' in page and "Utkastet er lagret" in page
        drafts = section(page, "ul", "drafts")
        assert WARNING_TEXT in drafts
        assert (
            f"Rusvarsel fra Fredrikstad, gjelder til {until(clock, 14)}: {WARNING_TEXT}" in drafts
        )
        assert "Hvem får varselet" in drafts and "Oslo" in drafts
        for number in (CONTACT, SECOND_CONTACT):  # suggested for a cluster: ticked
            assert f'name="recipient" value="sms:{number}" checked>' in drafts
        assert f'id="signal-{signal.id}"' not in page, "no longer open"

        edit = await ada.get(f"/a/warnings/{warning.id}/edit")
        assert edit.status_code == 200 and WARNING_TEXT in edit.text
        edited = await ada.post(
            f"/a/warnings/{warning.id}/edit",
            data={"csrf": token, "text": EDITED_TEXT, "valid_days": "7"},
        )
        assert done_of(edited) == "edited"

        unconfirmed = await ada.post(f"/a/warnings/{warning.id}/approve", data={"csrf": token})
        assert unconfirmed.status_code == 422 and "kryss av" in unconfirmed.text
        assert await rows(state, OutboxMessage) == []

        approved = await ada.post(
            f"/a/warnings/{warning.id}/approve",
            data={
                "csrf": token,
                "confirm": "yes",
                "choice": "shown",
                "recipient": [f"sms:{SECOND_CONTACT}"],  # the leader unticked the first
            },
        )
        assert done_of(approved) == "approved"
        [warning] = await rows(state, DrugWarning)
        assert warning.status == "approved" and warning.approved_by == "Ada Lund (leder)"
        assert warning.text == EDITED_TEXT and warning.valid_days == 7
        assert [(r["address"], r["chosen"]) for r in warning.recipients] == [
            (CONTACT, False),
            (SECOND_CONTACT, True),
        ]
        sms = await rows(state, OutboxMessage)
        assert sorted(m.to_number for m in sms) == [SECOND_CONTACT]
        sent = f"Rusvarsel fra Fredrikstad, gjelder til {until(clock, 7)}: {EDITED_TEXT}"
        for message in sms:
            assert message.body == sent
            assert message.subject_id == warning.id and message.purpose == "warning"
            for personal in (NAME, *NAME.split(), NATIONAL_ID, PHONE_TYPED):
                assert personal not in message.body
        [incoming] = await rows(state, IncomingWarning)
        assert incoming.municipality_code == NEIGHBOUR

        after = (await ada.get("/a/cases?done=approved")).text
        assert "Varselet er godkjent" in after
        assert EDITED_TEXT in section(after, "ul", "in-force")
        assert 'id="no-drafts"' in after

        again = await ada.post(
            f"/a/warnings/{warning.id}/approve", data={"csrf": token, "confirm": "yes"}
        )
        assert again.status_code == 409 and "allerede behandlet" in again.text
    assert len(await rows(state, OutboxMessage)) == 1, "sent once"


async def test_refused_warning_texts_are_shown_and_nothing_is_stored(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    await raise_cluster(warner, body=personal_body)
    signal = await the_signal(state)
    surname = NAME.split()[-1]
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        token = await csrf(ada)
        attempts = {
            f"Overdoser hos {surname} i sentrum, vær forsiktige": "navn fra et av varslene",
            f"Ring {PHONE_TYPED} for nalokson og hjelp": "telefonnummer",
            f"Gjelder {NATIONAL_ID} og flere andre": "fødselsnummer",
            ("Farlig stoff i omløp, ikke bruk alene. " * 8)[:300]: "SMS-en blir for lang",
            "Ok": "for kort",
        }
        for text, reason in attempts.items():
            refused = await ada.post(
                "/a/warnings",
                data={"csrf": token, "signal_id": str(signal.id), "text": text, "valid_days": "14"},
            )
            assert refused.status_code == 422, text
            assert reason in refused.text, (text, refused.text)
            assert 'id="warning-error"' in refused.text
            assert "3 overdoser innen 6 timer" in refused.text  # the form again, with its source
        days = await ada.post(
            "/a/warnings",
            data={
                "csrf": token,
                "signal_id": str(signal.id),
                "text": WARNING_TEXT,
                "valid_days": "91",
            },
        )
        assert days.status_code == 422 and WARNING_TEXT in days.text
        nul = await ada.post(
            "/a/warnings",
            data={"csrf": token, "signal_id": str(signal.id), "text": WARNING_TEXT + "\x00"},
        )
        assert nul.status_code == 422
        dismissal = await ada.post(
            f"/a/signals/{signal.id}/dismiss", data={"csrf": token, "note": "Ingen fare\x00"}
        )
        assert dismissal.status_code == 422
    assert await rows(state, DrugWarning) == []
    assert (await the_signal(state)).status == "open"


async def test_the_leader_dismisses_a_signal_reviews_a_warning_and_drafts_from_a_report(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    expired = await draft_warning(warner, "Farlig heroin i omløp forrige uke.", valid_days=1)
    await approve_warning(warner, expired)
    clock.advance(timedelta(days=2))
    # The clock moved: the harness gives the clients new tokens.
    await raise_cluster(warner)
    signal = await the_signal(state)
    async with browser_client(app) as ada, browser_client(app) as bo:
        await signed_in(ada, state, clock, team, 0)
        token = await csrf(ada)
        page = (await ada.get("/a/cases")).text
        assert f'action="/a/signals/{signal.id}/dismiss"' in page
        assert f'action="/a/warnings/{expired}/review"' in section(page, "ul", "review-due")

        short = await ada.post(
            f"/a/signals/{signal.id}/dismiss", data={"csrf": token, "note": "no"}
        )
        assert short.status_code == 422 and "for kort" in short.text
        assert (await the_signal(state)).status == "open"
        dismissed = await ada.post(
            f"/a/signals/{signal.id}/dismiss",
            data={"csrf": token, "note": "Kjent årsak, ikke farlig stoff"},
        )
        assert done_of(dismissed) == "dismissed"
        signal = await the_signal(state)
        assert signal.status == "dismissed" and signal.dismissed_by == "Ada Lund (leder)"
        assert signal.dismiss_note == "Kjent årsak, ikke farlig stoff"

        reviewed = await ada.post(
            f"/a/warnings/{expired}/review",
            data={"csrf": token, "note": "Ingen nye overdoser etter varselet"},
        )
        assert done_of(reviewed) == "reviewed"
        async with state.sessions() as session:
            warning = await session.get(DrugWarning, uuid.UUID(expired))
            assert (
                warning is not None and warning.review_note == "Ingen nye overdoser etter varselet"
            )
        page = (await ada.get("/a/cases?done=reviewed")).text
        assert "Gjennomgangen er registrert." in page and 'id="no-review-due"' in page
        twice = await ada.post(
            f"/a/warnings/{expired}/review", data={"csrf": token, "note": "En gang til"}
        )
        assert twice.status_code == 409

        # Bo files a report; Ada drafts a warning from it, and the report says so.
        await signed_in(bo, state, clock, team, 1)
        filed = await bo.post(
            "/a/concerns", data={"csrf": await csrf(bo), "description": CONCERN_TEXT}
        )
        assert filed.status_code == 303
        report_id = filed.headers["location"].rsplit("/", 1)[1]
        form = await ada.get(f"/a/warnings/new?report={report_id}")
        assert form.status_code == 200 and CONCERN_TEXT in form.text
        drafted = await ada.post(
            "/a/warnings",
            data={"csrf": token, "report_id": report_id, "text": IN_FORCE_TEXT, "valid_days": "3"},
        )
        assert done_of(drafted) == "drafted"
        [draft] = [w for w in await rows(state, DrugWarning) if w.status == "draft"]
        assert str(draft.concern_report_id) == report_id and draft.signal_id is None
        reports = section((await ada.get("/a/cases")).text, "section", "overview-reports")
        assert "Det er laget varsel fra meldingen." in reports
        assert f"/a/warnings/new?report={report_id}" not in reports


async def test_a_member_may_not_act_on_warnings_and_nothing_changes(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    await with_contacts(factory)
    await raise_cluster(warner)
    signal = await the_signal(state)
    draft = await draft_warning(warner, WARNING_TEXT)
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        token = await csrf(bo)
        posts: dict[str, dict[str, str]] = {
            f"/a/warnings/{draft}/approve": {"confirm": "yes"},
            f"/a/warnings/{draft}/edit": {"text": EDITED_TEXT, "valid_days": "3"},
            f"/a/warnings/{draft}/review": {"note": "Gjennomgått"},
            f"/a/signals/{signal.id}/dismiss": {"note": "Ikke nødvendig"},
            "/a/warnings": {"signal_id": str(signal.id), "text": WARNING_TEXT, "valid_days": "3"},
        }
        for path, data in posts.items():
            response = await bo.post(path, data={"csrf": token, **data})
            assert response.status_code == 403, path
            assert "Bare lederen" in response.text
        for path in (f"/a/warnings/new?signal={signal.id}", f"/a/warnings/{draft}/edit"):
            assert (await bo.get(path)).status_code == 403, path
    assert (await the_signal(state)).status == "open"
    [warning] = await rows(state, DrugWarning)
    assert warning.status == "draft" and warning.text == WARNING_TEXT
    assert await rows(state, OutboxMessage) == []


async def test_another_municipalitys_ids_are_not_found(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    await raise_cluster(warner)
    signal = await the_signal(state)
    draft = await draft_warning(warner, WARNING_TEXT)
    stavanger = await factory.team(municipality="1103", name="Stavanger", member_names=("Di",))
    async with browser_client(app) as bo, browser_client(app) as di:
        await signed_in(bo, state, clock, team, 1)
        filed = await bo.post(
            "/a/concerns", data={"csrf": await csrf(bo), "description": CONCERN_TEXT}
        )
        report_path = filed.headers["location"]
        await signed_in(di, state, clock, stavanger, 0)  # Stavanger's leader
        token = await csrf(di)
        report_id = report_path.rsplit("/", 1)[1]
        gets = (
            f"/a/warnings/new?signal={signal.id}",
            f"/a/warnings/new?report={report_id}",
            f"/a/warnings/{draft}/edit",
            report_path,
            "/a/warnings/new?signal=not-an-id",
            "/a/warnings/new",
            "/a/concerns/not-an-id",
        )
        for path in gets:
            response = await di.get(path)
            assert response.status_code == 404, path
            assert CONCERN_TEXT not in response.text and WARNING_TEXT not in response.text
        posts: dict[str, dict[str, str]] = {
            f"/a/warnings/{draft}/approve": {"confirm": "yes"},
            f"/a/warnings/{draft}/edit": {"text": EDITED_TEXT, "valid_days": "3"},
            f"/a/warnings/{draft}/review": {"note": "Gjennomgått"},
            f"/a/signals/{signal.id}/dismiss": {"note": "Ikke nødvendig"},
            "/a/warnings": {"signal_id": str(signal.id), "text": WARNING_TEXT, "valid_days": "3"},
            "/a/warnings/not-an-id/approve": {"confirm": "yes"},
        }
        for path, data in posts.items():
            response = await di.post(path, data={"csrf": token, **data})
            assert response.status_code == 404, path
        report = await di.post(
            "/a/warnings",
            data={"csrf": token, "report_id": report_id, "text": WARNING_TEXT, "valid_days": "3"},
        )
        assert report.status_code == 404
    assert (await the_signal(state)).status == "open"
    assert [w.status for w in await rows(state, DrugWarning)] == ["draft"]


async def test_a_post_without_the_csrf_token_is_refused(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    await raise_cluster(warner)
    signal = await the_signal(state)
    draft = await draft_warning(warner, WARNING_TEXT)
    async with browser_client(app) as ada, browser_client(app) as bo:
        await signed_in(ada, state, clock, team, 0)
        await signed_in(bo, state, clock, team, 1)
        others = await csrf(bo)
        for token in ("", "0" * 64, others):  # none, forged, another session's
            posts: dict[str, dict[str, str]] = {
                f"/a/warnings/{draft}/approve": {"confirm": "yes"},
                f"/a/signals/{signal.id}/dismiss": {"note": "Ikke nødvendig"},
                "/a/concerns": {"description": CONCERN_TEXT},
                "/a/warnings": {"signal_id": str(signal.id), "text": WARNING_TEXT},
            }
            for path, data in posts.items():
                response = await ada.post(path, data={"csrf": token, **data})
                assert response.status_code == 403, (path, token)
                assert "Skjemaet er utløpt" in response.text
    assert (await the_signal(state)).status == "open"
    assert [w.status for w in await rows(state, DrugWarning)] == ["draft"]
    assert await rows(state, ConcernReport) != []  # the Warner's own report only
    assert len(await rows(state, ConcernReport)) == 1
    assert await rows(state, OutboxMessage) == []


async def test_without_a_session_the_pages_send_to_sign_in(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    await factory.team()
    warner = await start_warnings(scenario)
    await raise_cluster(warner)
    signal = await the_signal(state)
    draft = await draft_warning(warner, WARNING_TEXT)
    async with browser_client(app) as nobody:
        for path in ("/a/concerns/new", f"/a/warnings/new?signal={signal.id}"):
            response = await nobody.get(path)
            assert response.status_code == 303 and response.headers["location"] == SIGNIN
        posts: dict[str, dict[str, str]] = {
            "/a/concerns": {"description": CONCERN_TEXT},
            f"/a/warnings/{draft}/approve": {"confirm": "yes"},
            f"/a/signals/{signal.id}/dismiss": {"note": "Ikke nødvendig"},
        }
        for path, data in posts.items():
            response = await nobody.post(path, data=data)
            assert response.status_code == 303 and response.headers["location"] == SIGNIN
    assert (await the_signal(state)).status == "open"
    assert len(await rows(state, ConcernReport)) == 1


async def test_the_pages_in_english(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    admin = await factory.admin_client((FEDERAL,))
    changed = await factory.http.patch(
        f"/v1/admin/teams/{team.team_id}/members/{team.member_ids[1]}",
        json={"language": "en"},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        form = await bo.get("/a/concerns/new")
        assert "Report a concern about a dangerous drug" in form.text
        assert "other opioids" in form.text
        refused = await bo.post(
            "/a/concerns",
            data={"csrf": csrf_of(form.text), "description": f"Call {PHONE_TYPED}"},
        )
        assert refused.status_code == 422 and "phone number" in refused.text
        approve = await bo.post(
            f"/a/warnings/{uuid.uuid4()}/approve",
            data={"csrf": csrf_of(form.text), "confirm": "yes"},
        )
        assert approve.status_code == 403 and "Only the leader" in approve.text


async def test_a_warning_approved_without_a_contact_list_says_no_sms_was_sent(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, scenario: Scenario
) -> None:
    """Issue 21: Fredrikstad has no contact list. The draft warns before approval that no SMS
    goes; after approval the page says none was sent (not "sendes nå"), and none was."""
    team = await factory.team()
    warner = await start_warnings(scenario)
    warning_id = await draft_warning(warner, IN_FORCE_TEXT)
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        page = (await ada.get("/a/cases")).text
        assert "Ingen kontaktliste er satt opp: varselet går ikke som SMS." in page
        approved = await ada.post(
            f"/a/warnings/{warning_id}/approve",
            data={"csrf": await csrf(ada), "confirm": "yes"},
        )
        assert done_of(approved) == "approved_unsent"
        after = (await ada.get("/a/cases?done=approved_unsent")).text
        assert "Varselet er godkjent, men ingen SMS er sendt" in after
        assert "sendes nå" not in after
    [warning] = await rows(state, DrugWarning)
    assert warning.status == "approved"
    assert [m for m in await rows(state, OutboxMessage) if m.subject_kind != "alert"] == []
