"""What every request document shares: unknown fields refused, refusals that never echo the
input, and examples in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def with_examples(*examples: dict[str, Any], **config: Any) -> ConfigDict:
    """A model's config carrying `examples` for the OpenAPI document (and any other keys)."""
    settings = ConfigDict(json_schema_extra={"examples": list(examples)})
    settings.update(config)  # type: ignore[typeddict-item]
    return settings


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, and a refusal never echoes the input."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


def one_at_least(*fields: str, message: str) -> Any:
    """A model validator for a body whose optional `fields` may each be left out, but not all
    of them (refused with `message`): `_reachable = one_at_least("mobile", "email", ...)`."""

    def check(body: BaseModel) -> BaseModel:
        if all(getattr(body, field) is None for field in fields):
            raise ValueError(message)
        return body

    return model_validator(mode="after")(check)
