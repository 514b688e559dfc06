"""What every request document shares: unknown fields refused, refusals that never echo the
input, and examples in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


def with_examples(*examples: dict[str, Any], **config: Any) -> ConfigDict:
    """A model's config carrying `examples` for the OpenAPI document (and any other keys)."""
    settings = ConfigDict(json_schema_extra={"examples": list(examples)})
    settings.update(config)  # type: ignore[typeddict-item]
    return settings


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, and a refusal never echoes the input."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
