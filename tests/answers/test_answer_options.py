"""The admin API of a municipality's answers to the crew: the lists it refuses (what every
settings document does is in tests/test_settings_documents.py)."""

from __future__ import annotations

import httpx

from tests.factories import Factory

OPTIONS = {
    "coming_minutes": [15, 30],
    "places": ["Stasjonen", "Traraveien 19"],
    "follow_up_when": ["i morgen tidlig"],
}


async def test_bad_options_are_refused_with_the_field(
    http: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin_client()
    url = "/v1/admin/municipalities/3107/answer-options"
    for bad, field in (
        ({**OPTIONS, "coming_minutes": []}, "coming_minutes"),
        ({**OPTIONS, "coming_minutes": [0]}, "coming_minutes.0"),
        ({**OPTIONS, "places": ["Stasjonen", "stasjonen"]}, "places"),
        ({**OPTIONS, "places": ["x" * 61]}, "places.0"),
        ({**OPTIONS, "extra": 1}, "extra"),
    ):
        response = await http.put(url, json=bad, headers=admin.headers)
        assert response.status_code == 422, bad
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
