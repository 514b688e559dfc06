"""Request types as strict as the OpenAPI document says: a JSON value of another type is a 422.

Pydantic's lax mode reads `false` as the integer 0, `0` as the boolean false, `"1.5"` as a
number and a number as Unix time (`"starts_at": 0` was a shift in 1970). A client that sends
such a value has a bug; reading it quietly hides the bug. FastAPI validates decoded JSON in
pydantic's Python mode, where `ConfigDict(strict=True)` would refuse text for UUIDs, enums and
times as well, so the strictness comes with the type: request models use these types where
the document says `integer`, `boolean`, `number`, `date-time` or a time of day.

* :data:`Integer`, :data:`Number` and :data:`Boolean` are pydantic's strict types: only that
  JSON type (an integer is a number too, as in JSON Schema; `2.0` is not taken as an
  integer). Constraints (`ge`, `le`) stay in the document, which a before-validator on a
  number loses (pydantic then writes `ge` instead of `minimum`).
* A time is read only from text of the form the document gives (:func:`text_form`), or from
  a value already parsed by a Python caller.

Query parameters arrive as text and are read by FastAPI's rules; they keep the plain types.
The alert intake uses these types too, but there an odd optional value is dropped and listed,
not refused (:mod:`app.alerts.schemas.lenient`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict

Integer = Annotated[int, Strict()]
"""A JSON integer: not `true`, not `"2"`, not `2.0`."""
Number = Annotated[float, Strict()]
"""A JSON number (an integer too): not `true`, not `"1.5"`."""
Boolean = Annotated[bool, Strict()]
"""`true` or `false`: not `0`, not `"yes"`."""


def text_form(pattern: str, reason: str, *, parsed: type | tuple[type, ...]) -> BeforeValidator:
    """A before-validator: only text matching `pattern` (or an instance of `parsed`, from a
    Python caller) goes on to pydantic's parser; anything else is refused with `reason`."""
    regex = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, parsed) or (isinstance(value, str) and regex.fullmatch(value)):
            return value
        raise ValueError(reason)

    return BeforeValidator(check)


def without_null(prop: dict[str, Any]) -> None:
    """Make a property's JSON schema non-nullable in place: for an optional field whose
    `None` only means "not sent", so that the document does not offer `null`."""
    branches = prop.get("anyOf")
    if branches is None:
        return
    kept = [b for b in branches if b != {"type": "null"}]
    del prop["anyOf"]
    if len(kept) == 1:
        prop.update({k: v for k, v in kept[0].items() if k not in prop})
    else:
        prop["anyOf"] = kept
    if "default" in prop and prop["default"] is None:
        del prop["default"]
