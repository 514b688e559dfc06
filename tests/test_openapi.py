"""The checked-in OpenAPI document matches the app, and documents errors as problem details."""

from __future__ import annotations

import json
from pathlib import Path

from app.main import create_app

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_checked_in_spec_matches_the_app() -> None:
    checked_in = json.loads(SPEC_PATH.read_text())
    generated = json.loads(json.dumps(create_app().openapi()))
    assert checked_in == generated, "openapi/openapi.json is stale: run `make openapi`"


def test_every_error_response_is_a_problem_detail() -> None:
    spec = create_app().openapi()
    errors = [
        (path, method, status, response)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status[0] in "45"
    ]
    assert errors
    for path, method, status, response in errors:
        assert list(response["content"]) == ["application/problem+json"], (path, method, status)


def test_alert_schema_is_documented_with_an_example() -> None:
    spec = create_app().openapi()
    alert_in = spec["components"]["schemas"]["AlertIn"]
    assert alert_in["required"] == ["dispatch_incident_id", "occurred_at", "municipality", "kind"]
    assert alert_in["examples"][0]["municipality"] == "3107"
    assert "ClientCredentials" in spec["components"]["securitySchemes"]
    post = spec["paths"]["/v1/alerts"]["post"]
    assert post["security"] == [{"ClientCredentials": ["alerts:write"]}]
    assert {"200", "201", "401", "403", "409", "413", "422"} <= set(post["responses"])
