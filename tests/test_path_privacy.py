"""A national id typed into a URL reaches neither the request log nor a problem's `instance`:
both name the route template, or withhold the segments that match no route."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.auth.scopes import Scope
from tests.factories import Factory
from tests.problems import assert_problem

NATIONAL_ID = "01010750160"


def logged_paths(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [str(getattr(r, "path", "")) for r in caplog.records if r.name == "odvarsel.request"]


@pytest.mark.parametrize(
    ("url", "status", "public"),
    [
        (f"/v1/alerts/{NATIONAL_ID}", 422, "/v1/alerts/{alert_id}"),
        (f"/v1/alerts/{NATIONAL_ID}/details?reason=Oppf%C3%B8lging", 422, None),
        (f"/v1/{NATIONAL_ID}/alerts", 404, "/v1/{withheld}/alerts"),
        (f"/v1/alerts/{NATIONAL_ID}/x", 404, "/v1/alerts/{withheld}/{withheld}"),
    ],
)
async def test_a_value_in_the_path_is_neither_logged_nor_answered(
    factory: Factory,
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    url: str,
    status: int,
    public: str | None,
):
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ, Scope.ALERTS_DETAILS))
    caplog.set_level(logging.DEBUG)
    response = await http.get(url, headers=amk.headers)
    problem = assert_problem(response, status)
    assert NATIONAL_ID not in response.text
    ours = [r for r in caplog.records if not r.name.startswith("httpx")]  # the test's client
    assert NATIONAL_ID not in " ".join(f"{r.getMessage()} {vars(r)}" for r in ours)
    if public is None:
        public = "/v1/alerts/{alert_id}/details"
    assert problem["instance"] == public
    assert logged_paths(caplog) == [public]
