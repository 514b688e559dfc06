"""The admin API of a municipality's answers to the crew."""

from __future__ import annotations

import httpx

from app.answers.service import DEFAULT_OPTIONS
from tests.factories import Factory

OPTIONS = {
    "coming_minutes": [15, 30],
    "places": ["Stasjonen", "Traraveien 19"],
    "follow_up_when": ["i morgen tidlig"],
}


async def test_defaults_then_the_municipalitys_own(
    http: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin_client()
    url = "/v1/admin/municipalities/3107/answer-options"
    first = await http.get(url, headers=admin.headers)
    assert first.status_code == 200 and first.json() == DEFAULT_OPTIONS.model_dump()
    put = await http.put(url, json=OPTIONS, headers=admin.headers)
    assert put.status_code == 200 and put.json() == OPTIONS
    assert (await http.get(url, headers=admin.headers)).json() == OPTIONS


async def test_another_municipality_is_not_found(http: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin_client(("3107",))
    for method in ("GET", "PUT"):
        for code in ("0301", "9999"):
            response = await http.request(
                method,
                f"/v1/admin/municipalities/{code}/answer-options",
                json=OPTIONS if method == "PUT" else None,
                headers=admin.headers,
            )
            assert response.status_code == 404, (method, code)


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
