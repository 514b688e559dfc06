"""Optional fields that fail validation are left out and listed; the alert still goes through.

`LenientModel` is the base of the alert and its supplements: its `REQUIRED` fields are strict
(an error there is a 422); an error anywhere else removes the smallest part that holds it
(a list item, a field, or a section) and names it in `dropped_fields`. A consent that cannot
be read is not dropped but read as `objected`, the most protective reading. Validation
messages never repeat the value sent.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from app.consent.enums import ConsentState
from app.errors import FieldProblem, field_path

CONSENT_NOT_UNDERSTOOD = "; the consent was not understood and is treated as objected"


class LenientModel(BaseModel):
    REQUIRED: ClassVar[tuple[str, ...]] = ()

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
            cleaned, dropped = _without_invalid_optional_fields(data, exc, cls.REQUIRED)
            if not dropped:
                raise
            model: Self = handler(cleaned)  # raises with only the required-field errors
            model._dropped = dropped + model._dropped  # then those of rules across fields
            return model


def _without_invalid_optional_fields(
    data: dict[str, Any], exc: ValidationError, required: tuple[str, ...]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    cleaned = _copy_for_removal(data)
    dropped: dict[str, FieldProblem] = {}
    targets: set[tuple[int | str, ...]] = set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        if not loc or loc[0] in required:
            continue
        target = _target_of(cleaned, loc)
        reason = (
            "unknown field" if error["type"] == "extra_forbidden" else str(error["msg"])
        ).removeprefix("Value error, ")
        if target[0] == "consent":
            reason += CONSENT_NOT_UNDERSTOOD
        dropped.setdefault(
            field_path(target), FieldProblem(field=field_path(target), reason=reason)
        )
        targets.add(target)
    # Remove list items from the highest index down so earlier indices stay valid.
    for target in sorted(targets, key=lambda t: [str(p).zfill(6) for p in t], reverse=True):
        _remove(cleaned, target)
    if any(target[0] == "consent" for target in targets):
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
