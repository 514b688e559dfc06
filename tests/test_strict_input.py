"""Values of another JSON type than the OpenAPI document gives are refused (422, field and
reason): `false` for an integer, `0` for a boolean, a number for a date-time (which pydantic
read as Unix time: `"starts_at": 0` made a shift in 1970). The alert's optional fields are the
documented exception: dropped and listed, and the document says they take any value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

import httpx
import jsonschema_rs
import pytest
from annotated_types import BaseMetadata
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Strict, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from app.instants import BoundedInstant
from app.main import api_routes, create_app
from app.roster.rota.schemas import WallClockTime
from app.roster.teams.schemas import MemberUpdate, TeamUpdate
from app.strict import Boolean, Integer, Number
from tests.factories import ApiCredentials, Factory, alert_body
from tests.problems import assert_problem

ADMIN = "/v1/admin"


# --- the types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "value", "accepted"),
    [
        (Integer, 3, True),
        (Integer, False, False),
        (Integer, "3", False),
        (Integer, 3.5, False),
        (Number, 1.5, True),
        (Number, 2, True),
        (Number, True, False),
        (Number, "1.5", False),
        (Boolean, True, True),
        (Boolean, 0, False),
        (Boolean, "true", False),
        (BoundedInstant, "2026-11-22T23:41:00+01:00", True),
        (BoundedInstant, "2026-11-22t22:41:00.5z", True),
        (BoundedInstant, 0, False),
        (BoundedInstant, 1.5, False),
        (BoundedInstant, "0.5", False),
        (BoundedInstant, "1700000000", False),
        (BoundedInstant, "2026-11-22T23:41:00", False),
        (BoundedInstant, "2026-11-22 23:41:00+01:00", False),
        (WallClockTime, "16:00", True),
        (WallClockTime, 0, False),
        (WallClockTime, "3600", False),
    ],
)
def test_a_strict_type_takes_only_its_json_type(annotation: Any, value: Any, accepted: bool):
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    if accepted:
        adapter.validate_python(value)
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)


# --- every request model uses them -----------------------------------------------------------

WRONG_VALUES: dict[str, list[Any]] = {
    "integer": [False, "7"],
    "number": [True, "1.5"],
    "boolean": [0, "true"],
    "date-time": [0, 1.5, "0.5"],
    "partial-time": [0, "3600"],
}
"""Per JSON type (or format) of the document, values of another type that lax pydantic read."""


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    origin = get_origin(annotation)
    if origin is not None:
        for arg in get_args(annotation):
            yield from _models(arg)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation


def _request_models() -> list[type[BaseModel]]:
    """Every model a JSON request body is read into, nested ones too."""
    found: list[type[BaseModel]] = []
    pending = [
        model
        for context in iter_route_contexts(list(api_routes()))
        if (body := getattr(context.route, "body_field", None)) is not None
        for model in _models(body.field_info.annotation)
    ]
    while pending:
        model = pending.pop()
        if model not in found:
            found.append(model)
            pending += [m for f in model.model_fields.values() for m in _models(f.annotation)]
    return found


def _kinds(schema: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """(type or format, inside an array) of a field's own schema; models ($ref) are skipped."""
    for branch in schema.get("anyOf", [schema]):
        if "items" in branch:
            yield from ((kind, True) for kind, _ in _kinds(branch["items"]))
        elif branch.get("format") in WRONG_VALUES:
            yield branch["format"], False
        elif branch.get("type") in WRONG_VALUES:
            yield branch["type"], False


def _type_of(field: FieldInfo) -> Any:
    """The field's type with its validators and strictness, without its bounds (`ge`,
    `max_length`): a wrong value must be refused for its type, not for its size."""
    kept = [m for m in field.metadata if isinstance(m, Strict) or not isinstance(m, BaseMetadata)]
    return Annotated[(field.annotation, *kept)] if kept else field.annotation


def _lax_fields() -> Iterator[str]:
    for model in _request_models():
        for name, field in model.model_fields.items():
            adapter: TypeAdapter[Any] = TypeAdapter(_type_of(field))
            for kind, in_array in _kinds(adapter.json_schema()):
                for wrong in WRONG_VALUES[kind]:
                    try:
                        adapter.validate_python([wrong] if in_array else wrong)
                    except ValidationError:
                        continue
                    yield f"{model.__name__}.{name} ({kind}) takes {wrong!r}"


def test_every_request_field_the_document_types_refuses_another_json_type():
    assert len(_request_models()) > 40  # the walk reaches the models
    assert list(_lax_fields()) == []


# --- through the API -------------------------------------------------------------------------


@pytest.fixture
async def admin(factory: Factory) -> ApiCredentials:
    return await factory.admin_client()


async def test_a_number_for_a_shift_start_is_refused_not_a_shift_in_1970(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    url = f"{ADMIN}/teams/{team.team_id}/shifts"
    body = {"member_id": str(team.member_ids[0]), "starts_at": 0, "ends_at": 86_400}
    problem = assert_problem(await http.post(url, json=body, headers=admin.headers), 422)
    assert {e["field"] for e in problem["errors"]} == {"starts_at", "ends_at"}
    assert "2026-11-22T23:41:00+01:00" in problem["errors"][0]["reason"]
    listed = await http.get(url, params={"from": "1970-01-01T00:00:00Z"}, headers=admin.headers)
    assert listed.json() == []


async def test_a_number_for_an_instant_in_a_query_is_refused(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    response = await http.get(
        f"{ADMIN}/teams/{team.team_id}/on-duty", params={"at": "0.5"}, headers=admin.headers
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["at"]


async def test_false_for_an_integer_and_0_for_a_boolean_are_refused(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    policy = {"steps": [{"delay_minutes": 5, "targets": [{"kind": "on_duty"}]}], "repeat": False}
    response = await http.put(
        f"{ADMIN}/teams/{team.team_id}/escalation-policy", json=policy, headers=admin.headers
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["repeat"]
    new_team = {"municipality": "3107", "name": "Nattevakt", "receives_alerts": 0}
    response = await http.post(f"{ADMIN}/teams", json=new_team, headers=admin.headers)
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["receives_alerts"]


# --- null only where it is taken -------------------------------------------------------------


@pytest.mark.parametrize("model", [TeamUpdate, MemberUpdate])
def test_a_partial_update_offers_null_only_where_null_is_taken(model: type[BaseModel]):
    """A field left out stays; `null` is taken only by `_nullable` fields (it clears them):
    the document offered `null` for every field, and the others refused it."""
    schema = create_app().openapi()["components"]["schemas"][model.__name__]
    nullable = {
        name
        for name, prop in schema["properties"].items()
        if {"type": "null"} in prop.get("anyOf", [])
    }
    assert nullable == set(model._nullable)  # type: ignore[attr-defined]


async def test_null_is_taken_where_the_document_offers_it_and_refused_elsewhere(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    url = f"{ADMIN}/teams/{team.team_id}"
    cleared = await http.patch(url, json={"leader_member_id": None}, headers=admin.headers)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["leader_member_id"] is None
    refused = await http.patch(url, json={"receives_alerts": None}, headers=admin.headers)
    assert [e["field"] for e in assert_problem(refused, 422)["errors"]] == ["receives_alerts"]


# --- the alert: lenient, and the document says so ---------------------------------------------


def _document_validator(schema_name: str) -> Any:
    spec = json.loads(json.dumps(create_app().openapi()))
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


@pytest.mark.parametrize(
    ("change", "valid", "dropped"),
    [
        ({"person": {"homeless": 0}}, True, ["person.homeless"]),
        ({"place": {"latitude": "59.2"}}, True, ["place.latitude"]),
        (
            {"naloxone": {"doses": True, "last_dose_at": 0}},
            True,
            ["naloxone.doses", "naloxone.last_dose_at"],
        ),
        ({"reporter": [None, None]}, True, ["reporter"]),
        ({"shoe_size": 44}, True, ["shoe_size"]),
        ({"occurred_at": 0}, False, None),
        ({"kind": "unknown"}, False, None),
        ({"municipality": 3107}, False, None),
    ],
)
async def test_the_document_and_the_intake_agree_on_what_is_refused(
    factory: Factory,
    http: httpx.AsyncClient,
    change: dict[str, Any],
    valid: bool,
    dropped: list[str] | None,
):
    """What the document calls invalid is refused (422); what it allows is taken, an odd
    optional value dropped and listed. Lax parsing took `0` as false without a word."""
    amk = await factory.api_client()
    body = alert_body(**change)
    assert _document_validator("AlertIn").is_valid(body) is valid
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    if dropped is None:
        assert [e["field"] for e in assert_problem(response, 422)["errors"]] == list(change)
    else:
        assert response.status_code == 201, response.text
        assert sorted(d["field"] for d in response.json()["dropped_fields"]) == dropped


@pytest.mark.parametrize("epoch", [1795000000, 1795000000.5, "1795000000"])
async def test_an_epoch_occurred_at_is_refused_with_the_form_it_takes(
    factory: Factory, http: httpx.AsyncClient, epoch: object
) -> None:
    """Issue 21: a dispatcher sending Unix time learns, by field, what to send instead (an
    RFC 3339 date-time); nothing is stored (checked today: already refused, now pinned)."""
    amk = await factory.api_client()
    body = alert_body(occurred_at=epoch)
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == "occurred_at"
    assert "2026-11-22T23:41:00+01:00" in error["reason"], error
    assert str(epoch) not in response.text, "input is never echoed"
