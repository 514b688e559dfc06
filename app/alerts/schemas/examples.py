"""Examples of an alert and a supplement, for the OpenAPI document and the tests."""

from __future__ import annotations

from typing import Any

ALERT_EXAMPLE: dict[str, Any] = {
    "dispatch_incident_id": "AMK-OST-2026-004711",
    "occurred_at": "2026-11-22T23:41:00+01:00",
    "municipality": "3107",
    "kind": "non_fatal",
    "place": {"description": "Utenfor Fredrikstad stasjon", "type": "outdoors"},
    "destination": {"type": "home_alone"},
    "person": {
        "national_id": "01010750160",
        "name": "Ola Nordmann",
        "phone": "+4791234567",
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
    "reporter": {
        "unit": "Ambulanse Fredrikstad 2",
        "callback_phone": "+4769000000",
        "type": "ambulance",
    },
}

ALERT_V1_EXAMPLE: dict[str, Any] = {
    "dispatch_incident_id": "AMK-OST-2026-004712",
    "occurred_at": "2026-11-22T23:41:00+01:00",
    "municipality": "3107",
    "kind": "non_fatal",
    "place": {"description": "Utenfor Fredrikstad stasjon", "type": "public_place"},
    "person": {"national_id": "01010750160", "name": "Ola Nordmann", "phone": "+4791234567"},
    "clinical": {
        "substances": ["opioid"],
        "naloxone_given": True,
        "naloxone_doses": 2,
        "outcome": "declined_transport",
        "observed_two_hours": False,
    },
    "consent": {"state": "not_asked"},
    "reporter": {"unit": "Ambulanse Fredrikstad 2", "callback_phone": "+4769000000"},
}
"""The first version's shape, still accepted (deprecated values are read as their new ones)."""


SUPPLEMENT_EXAMPLE: dict[str, Any] = {
    "supplement_id": "AMK-OST-2026-004711-2",
    "consent": {"state": "consented", "recipients": ["relatives"], "given_by": "person"},
    "clinical": {"outcome": "transported", "suicidal_thoughts": "no"},
    "destination": {"type": "hospital", "name": "Sykehuset Østfold Kalnes, Akuttmottak"},
}
