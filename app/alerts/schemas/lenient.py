"""Optional fields that fail validation are left out and listed; the alert still goes through.

`LenientModel` is the base of the alert and its supplements: its `STRICT` fields (the
required ones, and those whose loss would go unnoticed) are refused with 422 when invalid; an
error anywhere else removes the smallest part that holds it (a list item, a field, or a
section) and names it in `dropped_fields`. A consent that cannot be read is not dropped but
read as `objected`, the most protective reading. Validation messages never repeat the value
sent.

The OpenAPI document says so (:meth:`LenientModel.__get_pydantic_json_schema__`): each
lenient field accepts its documented schema or any other value, which is dropped and listed.
Without that the document would claim a strictness the service does not enforce.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import (
    GetJsonSchemaHandler,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.api.bodies import RequestBody
from app.consent.enums import ConsentState
from app.errors import FieldProblem
from app.problems import field_path

CONSENT_NOT_UNDERSTOOD = "; the consent was not understood and is treated as objected"

CONSENT_DETAILS = (("consent", "given_by"),)
"""Parts of the consent that do not change what the person said: an odd value is dropped and
listed alone, the consent stands (who gave it is then not said; docs/rules.md, "Minors")."""


ODD_VALUE_SCHEMA: dict[str, Any] = {
    "title": "Any other value",
    "description": "Not refused: left out, and listed in `dropped_fields` with the reason.",
}

UNKNOWN_FIELD_SCHEMA: dict[str, Any] = {
    "title": "Unknown field",
    "description": "Not refused: left out, and listed in `dropped_fields`.",
}


class LenientModel(RequestBody):
    STRICT: ClassVar[tuple[str, ...]] = ()
    """Fields refused (422) when invalid; every other field is dropped and listed instead."""

    _dropped: list[FieldProblem] = PrivateAttr(default_factory=list)

    @property
    def dropped_fields(self) -> list[FieldProblem]:
        return self._dropped

    def drop(self, problem: FieldProblem) -> None:
        """List a field left out after validation (a rule across fields)."""
        self._dropped.append(problem)

    @model_validator(mode="wrap")
    @classmethod
    def _leave_out_invalid_optional_fields(
        cls, data: Any, handler: ValidatorFunctionWrapHandler
    ) -> Self:
        try:
            return handler(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            if not isinstance(data, dict):
                raise
            cleaned, dropped = _without_invalid_optional_fields(data, exc, cls.STRICT)
            if not dropped:
                raise
            model: Self = handler(cleaned)  # raises with only the required-field errors
            model._dropped = dropped + model._dropped  # then those of rules across fields
            return model

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Each lenient field: its own schema, or any other value (dropped and listed)."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        properties = target.get("properties", {})
        for name, prop in properties.items():
            if name not in cls.STRICT:
                properties[name] = _or_any_value(prop)
        if target.get("additionalProperties") is False:
            target["additionalProperties"] = UNKNOWN_FIELD_SCHEMA
        return schema


_ANNOTATIONS = ("title", "description", "default", "examples", "deprecated")


def _or_any_value(prop: dict[str, Any]) -> dict[str, Any]:
    """`prop` with its annotations kept outside and its type widened by ODD_VALUE_SCHEMA."""
    outer = {k: v for k, v in prop.items() if k in _ANNOTATIONS}
    inner = {k: v for k, v in prop.items() if k not in _ANNOTATIONS}
    branches = inner["anyOf"] if list(inner) == ["anyOf"] else [inner]
    return {**outer, "anyOf": [*branches, ODD_VALUE_SCHEMA]}


def _without_invalid_optional_fields(
    data: dict[str, Any], exc: ValidationError, strict: tuple[str, ...]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    cleaned = _copy_for_removal(data)
    dropped: dict[str, FieldProblem] = {}
    targets: set[tuple[int | str, ...]] = set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        if not loc or loc[0] in strict:
            continue
        target = _target_of(cleaned, loc)
        reason = (
            "unknown field" if error["type"] == "extra_forbidden" else str(error["msg"])
        ).removeprefix("Value error, ")
        if target[0] == "consent" and target not in CONSENT_DETAILS:
            reason += CONSENT_NOT_UNDERSTOOD
        dropped.setdefault(
            field_path(target), FieldProblem(field=field_path(target), reason=reason)
        )
        targets.add(target)
    # Remove list items from the highest index down so earlier indices stay valid.
    for target in sorted(targets, key=lambda t: [str(p).zfill(6) for p in t], reverse=True):
        _remove(cleaned, target)
    if any(target[0] == "consent" and target not in CONSENT_DETAILS for target in targets):
        cleaned["consent"] = {"state": ConsentState.OBJECTED.value}
    return cleaned, list(dropped.values())


def _copy_for_removal(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of what :func:`_remove` may change (sections and their lists), not deeper: an
    odd value can be nested hundreds of levels, too deep for copy.deepcopy."""
    cleaned = dict(data)
    for key, section in cleaned.items():
        if isinstance(section, dict):
            cleaned[key] = {k: list(v) if isinstance(v, list) else v for k, v in section.items()}
    return cleaned


def _target_of(data: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """What to leave out for an error at `loc`: a list item, a field, or a whole section."""
    if loc[:2] in CONSENT_DETAILS:
        return loc[:2]
    if loc[0] == "consent" or not isinstance(data.get(str(loc[0])), dict) or len(loc) == 1:
        return loc[:1]
    if len(loc) >= 3 and isinstance(loc[2], int):
        return loc[:3]
    return loc[:2]


def _remove(data: dict[str, Any], path: tuple[int | str, ...]) -> None:
    container: Any = data
    for key in path[:-1]:
        container = container.get(str(key)) if isinstance(container, dict) else None
    last = path[-1]
    if isinstance(container, dict):
        container.pop(last, None)
    elif isinstance(container, list) and isinstance(last, int) and last < len(container):
        container.pop(last)
