"""Examples of an alert and a supplement, for the OpenAPI document and the tests."""

from __future__ import annotations

from typing import Any

# Every example tells of the same overdose, person and ambulance (alert details too).
OVERDOSE_EXAMPLE: dict[str, Any] = {
    "occurred_at": "2026-11-22T23:41:00+01:00",
    "municipality": "3107",
    "kind": "non_fatal",
}
PLACE_EXAMPLE = "Utenfor Fredrikstad stasjon"
PERSON_EXAMPLE: dict[str, Any] = {
    "national_id": "01010750160",
    "name": "Ola Nordmann",
    "phone": "+4791234567",
}
"""Who the person is (a test national id): the identity part of an alert's person."""
REPORTER_EXAMPLE: dict[str, Any] = {
    "unit": "Ambulanse Fredrikstad 2",
    "callback_phone": "+4769000000",
}

ALERT_EXAMPLE: dict[str, Any] = {
    "dispatch_incident_id": "AMK-OST-2026-004711",
    **OVERDOSE_EXAMPLE,
    "place": {"description": PLACE_EXAMPLE, "type": "outdoors"},
    "destination": {"type": "home_alone"},
    "person": {
        **PERSON_EXAMPLE,
        "age_band": "adult",
        "homeless": False,
        "children_in_household": False,
    },
    "scene": {"others_present": True, "relative_present": False, "relative_called_113": False},
    "clinical": {
        "outcome": "declined_transport",
        "observed_two_hours": False,
        "substances": ["heroin", "benzodiazepine"],
        "substance_certainty": "reported",
        "intent": "unknown",
        "suicidal_thoughts": "not_asked",
    },
    "naloxone": {
        "given": True,
        "by": ["bystander", "ambulance"],
        "route": "nasal",
        "doses": 2,
        "last_dose_at": "2026-11-22T23:52:00+01:00",
    },
    "severity": {"unconscious": True, "breathing_stopped": True},
    "consent": {"state": "not_asked"},
    "reporter": {**REPORTER_EXAMPLE, "type": "ambulance"},
}

ALERT_V1_EXAMPLE: dict[str, Any] = {
    "dispatch_incident_id": "AMK-OST-2026-004712",
    **OVERDOSE_EXAMPLE,
    "place": {"description": PLACE_EXAMPLE, "type": "public_place"},
    "person": PERSON_EXAMPLE,
    "clinical": {
        "substances": ["opioid"],
        "naloxone_given": True,
        "naloxone_doses": 2,
        "outcome": "declined_transport",
        "observed_two_hours": False,
    },
    "consent": {"state": "not_asked"},
    "reporter": REPORTER_EXAMPLE,
}
"""The first version's shape, still accepted (deprecated values are read as their new ones)."""


SUPPLEMENT_EXAMPLE: dict[str, Any] = {
    "supplement_id": "AMK-OST-2026-004711-2",
    "consent": {"state": "consented", "recipients": ["relatives"], "given_by": "person"},
    "clinical": {"outcome": "transported", "suicidal_thoughts": "no"},
    "destination": {"type": "hospital", "name": "Sykehuset Østfold Kalnes, Akuttmottak"},
}
