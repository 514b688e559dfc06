"""The checked-in OpenAPI document matches the app, and documents errors as problem details."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from app.config import Settings
from app.errors import DomainError
from app.main import create_app
from app.problems import PROBLEM_TYPES
from tests.problems import assert_problem

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
README_PATH = SPEC_PATH.parent.parent / "README.md"


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


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_operation_ids_read_like_an_sdk() -> None:
    spec = create_app().openapi()
    ids = [operation["operationId"] for _, _, operation in _operations(spec)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i) for i in ids), ids
    assert spec["paths"]["/v1/alerts"]["post"]["operationId"] == "createAlert"
    assert spec["paths"]["/v1/alerts/{alert_id}"]["get"]["operationId"] == "getAlert"


def test_every_schema_has_one_unique_name() -> None:
    """Pydantic names colliding classes by module path (`app__overdose__enums__Severity`) or
    mode (`StaffRef-Input`) and keeps both titles; client generators name models by title, so
    they dropped one of each pair and every schema and endpoint that used it."""
    schemas = create_app().openapi()["components"]["schemas"]
    leaked = [name for name in schemas if "__" in name or "-" in name]
    assert not leaked, f"rename the classes so the names are unique: {leaked}"
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    assert all(schema.get("title", name) == name for name, schema in schemas.items())


def test_every_operation_states_its_security_and_there_is_a_server() -> None:
    spec = create_app().openapi()
    assert spec["servers"]
    for path, method, operation in _operations(spec):
        assert "security" in operation, (path, method)
    token = spec["paths"]["/v1/oauth/token"]["post"]
    assert {"ClientBasic": []} in token["security"]
    assert spec["components"]["securitySchemes"]["ClientBasic"]["scheme"] == "basic"
    assert spec["paths"]["/healthz"]["get"]["security"] == []


def test_the_alert_answers_document_location_and_the_conflicting_alert() -> None:
    spec = create_app().openapi()
    post = spec["paths"]["/v1/alerts"]["post"]["responses"]
    for status in ("200", "201"):
        assert "Location" in post[status]["headers"]
    assert "alert_id" in spec["components"]["schemas"]["Problem"]["properties"]
    assert post["409"]["content"]["application/problem+json"]["example"]["alert_id"]
    examples = post["422"]["content"]["application/problem+json"]["examples"]
    types = {e["value"]["type"].rsplit("/", 1)[1] for e in examples.values()}
    assert {"validation-error", "alert-not-delivered"} <= types
    assert {"413", "415"} <= set(post)


def _all_subclasses(cls: type[DomainError]) -> set[type[DomainError]]:
    return {cls, *(s for sub in cls.__subclasses__() for s in _all_subclasses(sub))}


def test_every_problem_type_is_listed_in_the_spec_and_the_readme() -> None:
    spec = create_app().openapi()
    listed = {t.slug for t in PROBLEM_TYPES}
    raised = {cls.slug for cls in _all_subclasses(DomainError) - {DomainError}}
    assert raised <= listed, raised - listed
    readme = README_PATH.read_text()
    for slug in listed:
        assert f"`{slug}`" in spec["info"]["description"], slug
        assert f"`{slug}`" in readme, slug


async def _get(app: FastAPI, url: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.get(url)


async def test_docs_are_served_with_local_assets(settings: Settings) -> None:
    app = create_app(settings)
    for page in ("/docs", "/redoc"):
        html = (await _get(app, page)).text
        assert "cdn" not in html.lower() and "googleapis" not in html
        assets = re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', html)
        assert assets, page
        for asset in assets:
            answer = await _get(app, asset)
            assert answer.status_code == 200, asset
            # ReDoc's footer took its logo from cdn.redoc.ly (app.openapi._redoc_script).
            assert "cdn.redoc.ly" not in answer.text, asset


async def test_docs_are_off_in_production_unless_enabled(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    assert (await _get(create_app(production), "/docs")).status_code == 404
    assert (await _get(create_app(production), "/redoc")).status_code == 404
    enabled = production.model_copy(
        update={"http": production.http.model_copy(update={"docs_enabled": True})}
    )
    assert (await _get(create_app(enabled), "/docs")).status_code == 200


HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH"})


async def test_options_and_other_methods_answer_the_methods_the_document_declares(
    settings: Settings,
) -> None:
    """FastAPI makes a route per method, and Starlette's 405 named only the first route's
    methods (`Allow: POST` where GET was served too); OPTIONS was such a 405."""
    app = create_app(settings)
    spec = app.openapi()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for path, item in spec["paths"].items():
            url = re.sub(r"\{[^}]+\}", "x1", path)
            declared = {method.upper() for method in item} & HTTP_METHODS
            options = await http.options(url)
            assert options.status_code == 204, path
            assert set(options.headers["allow"].split(", ")) == declared | {"OPTIONS"}, path
            for method in sorted(HTTP_METHODS - declared):
                response = await http.request(method, url)
                assert_problem(response, 405)
                assert response.headers["allow"] == options.headers["allow"], (path, method)
        assert (await http.options("/v1/nothing-here")).status_code == 404


def test_every_tag_in_use_is_described() -> None:
    spec = create_app().openapi()
    used = {
        tag
        for path in spec["paths"].values()
        for operation in path.values()
        for tag in operation.get("tags", [])
    }
    described = {t["name"] for t in spec.get("tags", []) if t.get("description")}
    assert used <= described, used - described
