"""A kommunenummer is four ASCII digits wherever it is read: in a path, a query or a body.

Other scripts' digits (`٣١٠٧`, Arabic-Indic for 3107) are digits to `\\d`; routes that used it
let them through to a look-up that found nothing (404). Every GET that takes a code is found
in the app's own API document, so one added later is checked too.
"""

from __future__ import annotations

import re

import httpx
import pytest

from app.auth.scopes import Scope
from app.main import create_app
from app.norway.types import MUNICIPALITY_CODE_PATTERN
from tests.factories import Factory
from tests.problems import assert_problem

FOREIGN_DIGITS = "\u0663\u0661\u0660\u0667"  # ٣١٠٧
CODE_PARAMETERS = {"code", "municipality"}
SOME_ID = "00000000-0000-4000-8000-000000000000"


def routes_taking_a_code() -> list[tuple[str, str]]:
    """(path, where the code goes) for every GET operation of the API document that takes a
    kommunenummer in its path or its query."""
    document = create_app().openapi()
    return [
        (path, f"{parameter['in']}.{parameter['name']}")
        for path, operations in document["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["name"] in CODE_PARAMETERS and parameter["in"] in ("path", "query")
    ]


def test_the_pattern_takes_ascii_digits_only() -> None:
    assert re.fullmatch(MUNICIPALITY_CODE_PATTERN.strip("^$"), "3107")
    assert not re.fullmatch(MUNICIPALITY_CODE_PATTERN.strip("^$"), FOREIGN_DIGITS)
    assert re.fullmatch(r"\d{4}", FOREIGN_DIGITS), "the digits are digits to \\d"


def test_routes_taking_a_code_are_found() -> None:
    places = {where for _, where in routes_taking_a_code()}
    assert {"path.code", "path.municipality", "query.municipality"} <= places


@pytest.mark.parametrize(("path", "where"), routes_taking_a_code())
async def test_other_digits_are_refused_naming_the_parameter(
    factory: Factory, http: httpx.AsyncClient, path: str, where: str
) -> None:
    client = await factory.api_client(scopes=tuple(Scope))
    kind, name = where.split(".")
    params = {name: FOREIGN_DIGITS} if kind == "query" else {}
    filled = path.replace(f"{{{name}}}", FOREIGN_DIGITS) if kind == "path" else path
    filled = re.sub(r"\{[^}]+\}", SOME_ID, filled)

    response = await http.get(filled, params=params, headers=client.headers)

    problem = assert_problem(response, 422)
    assert name in [e["field"] for e in problem["errors"]], problem
