"""The form read strictly (app/web/form_fields.py), table-tested: what the crew typed
becomes the alert the API takes, or errors beside the fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.alerts.schemas.alert_in import AlertIn
from app.i18n import words
from app.web.form_fields import Reporting, incident_id, read_form

NOW = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23:30 in Oslo
REPORTER = uuid.UUID("00000000-0000-4000-8000-000000000001")
REPORTING = Reporting(
    reporter_id=REPORTER, municipalities=("3107",), reporter_type="ambulance", unit="Amb 2"
)
INCIDENT = "5b0f3f7e-7d0e-4f43-9b7b-0e4f6c1c2d3a"
BASE = {
    "incident": INCIDENT,
    "opened_at": (NOW - timedelta(minutes=3)).isoformat(),
    "municipality": "3107",
    "kind": "non_fatal",
    "outcome": "declined_transport",
    "consent": "could_not_ask",
}


def read(**changes: str) -> Any:
    return read_form({**BASE, **changes}, reporting=REPORTING, now=NOW, words=words("nb"))


def test_a_filled_form_is_the_alert_the_api_takes() -> None:
    result = read(relatives="", destination="home_alone", time="23.10", national_id="")
    assert result.errors == {}
    alert = AlertIn.model_validate(result.alert)
    assert alert.dispatch_incident_id == incident_id(REPORTER, INCIDENT)
    assert alert.occurred_at == datetime(2026, 11, 23, 22, 10, tzinfo=UTC)
    assert alert.consent is not None and alert.consent.state == "unable"
    assert alert.reporter is not None and alert.reporter.unit == "Amb 2"
    assert alert.person is None and alert.dropped_fields == []


@pytest.mark.parametrize(
    ("changes", "consent", "recipients"),
    [
        ({"consent": "yes", "relatives": "yes"}, "consented", ["relatives"]),
        ({"consent": "yes", "relatives": "no"}, "consented", []),
        ({"consent": "objects"}, "objected", []),
        ({"consent": "not_asked"}, "not_asked", []),
        ({"kind": "fatal", "outcome": "", "consent": ""}, "not_asked", []),
    ],
)
def test_the_consent_questions_as_asked_at_the_scene(
    changes: dict[str, str], consent: str, recipients: list[str]
) -> None:
    result = read(**changes)
    assert result.errors == {}
    assert result.alert["consent"] == {"state": consent, "recipients": recipients} or (
        recipients == [] and result.alert["consent"] == {"state": consent}
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"outcome": ""}, "outcome"),
        ({"outcome": "deceased"}, "outcome"),
        ({"kind": "fatal", "outcome": "transported"}, "outcome"),
        ({"consent": ""}, "consent"),
        ({"consent": "objects", "relatives": "yes"}, "relatives"),
        ({"municipality": "0301"}, "municipality"),
        ({"destination": "legevakt"}, "destination"),
        ({"time": "7"}, "time"),
        ({"time": "24:00"}, "time"),
        ({"time": "2400"}, "time"),
        ({"time": "950"}, "time"),
        ({"birth_year": "1800"}, "birth_year"),
        ({"national_id": "01010750161"}, "national_id"),
        ({"phone": "12"}, "phone"),
        ({"callback": "abc"}, "callback"),
        ({"doses": "0"}, "doses"),
        ({"naloxone": "no", "doses": "2"}, "doses"),
        ({"place": "x" * 201}, "place"),
        ({"name": "Ola\x00"}, "name"),
        ({"incident": "not-a-uuid"}, "form"),
        ({"opened_at": (NOW + timedelta(hours=1)).isoformat()}, "form"),
    ],
)
def test_each_error_names_its_field(changes: dict[str, str], field: str) -> None:
    result = read(**changes)
    assert list(result.errors) == [field]
    assert result.alert == {}


def test_a_time_after_the_form_was_opened_is_yesterday() -> None:
    result = read(time="23:50")
    assert result.alert["occurred_at"] == "2026-11-22T23:50:00+01:00"


@pytest.mark.parametrize("typed", ["23.10", "23:10", "2310"])
def test_the_time_may_be_typed_on_a_numeric_keypad(typed: str) -> None:
    # inputmode=numeric: an iPhone's keypad has digits only, so "2310" is 23:10 too.
    result = read(time=typed)
    assert result.errors == {}
    assert result.alert["occurred_at"] == "2026-11-23T23:10:00+01:00"
