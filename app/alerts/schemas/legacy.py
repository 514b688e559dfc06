"""Values of the first alert version, accepted for one more version (docs/rules.md, "Values
of the first alert version").

`Legacy` marks an enum field: an old value is read as its replacement before validation, and
the spec lists the old values as a deprecated alternative, so integrators see what to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from app.consent.enums import LEGACY_CATEGORIES, DataCategory


@dataclass(frozen=True, eq=False)
class Legacy:
    """Accept `mapping`'s old values as their new ones; document them as deprecated."""

    mapping: Mapping[str, str]
    note: str | None = None
    """What the spec says of the old values; by default "old → new" for each."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.upgrade, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        note = self.note or ", ".join(f"`{old}` → `{new}`" for old, new in self.mapping.items())
        deprecated = {
            "type": "string",
            "enum": sorted(self.mapping),
            "deprecated": True,
            "description": f"Deprecated values of the first version, read as: {note}.",
        }
        return {"anyOf": [handler(schema), deprecated]}

    def upgrade(self, value: Any) -> Any:
        return self.mapping.get(value, value) if isinstance(value, str) else value


def expand_legacy_categories(value: Any) -> Any:
    """A consent's categories with the first version's ones read as their replacements."""
    if not isinstance(value, list):
        return value
    expanded: list[Any] = []
    for item in value:
        new = LEGACY_CATEGORIES.get(item) if isinstance(item, str) else None
        for category in [c.value for c in new] if new else [item]:
            if category not in expanded:  # by equality: odd items ({}) are not hashable
                expanded.append(category)
    return expanded


ConsentCategories = Annotated[
    list[
        Annotated[
            DataCategory,
            # Only for the spec: the list's validator has already expanded the old value.
            Legacy({"clinical": "acute_risk"}, note="`clinical` → `acute_risk` and `substances`"),
        ]
    ],
    BeforeValidator(expand_legacy_categories),
]
