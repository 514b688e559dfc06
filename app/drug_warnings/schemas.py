"""What the API models of every concern share: free text refused when it holds personal
data, a municipality's code in a body, and who acts (request bodies are
`app.api.bodies.RequestBody`).

Free text is refused (422 naming the field) when it holds what looks like a national id or
a phone number (`app.privacy.free_text.personal_data_in`); the concerns' own free texts
(a report's description, a warning's text) are built the same way beside their models.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

from app.api.bodies import RequestBody
from app.input_guard import refuse_control_characters
from app.privacy.free_text import no_personal_numbers

T = TypeVar("T")


def each_once(values: list[T], what: str, *, key: Callable[[T], Hashable] | None = None) -> list[T]:
    """The values of a list, unless one (or its `key`) comes twice: "each `what` only once"."""
    keys = [key(v) for v in values] if key is not None else values
    if len(set(keys)) != len(keys):
        raise ValueError(f"each {what} only once")
    return values


def text_between(min_length: int, max_length: int) -> object:
    """Stripped of surrounding whitespace, then `min_length` to `max_length` characters."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# `refuse_control_characters`: the API's input guard refuses them before a model sees them,
# but the staff pages post forms the guard leaves to the page (a NUL would not even store).
ShortText = Annotated[
    str,
    text_between(1, 100),
    AfterValidator(refuse_control_characters),
    AfterValidator(no_personal_numbers),
]
Note = Annotated[
    str,
    text_between(3, 1000),
    AfterValidator(refuse_control_characters),
    AfterValidator(no_personal_numbers),
]


class ActingStaff(RequestBody):
    """Who acts: sent by a case system for the person it acts for; a signed-in staff member's
    own name and role (from the session) otherwise."""

    name: ShortText = Field(examples=["Kari Solberg"])
    role: ShortText = Field(examples=["leder, Ressursteam overdose"])

    def label(self) -> str:
        return f"{self.name} ({self.role})"


def acting_field() -> Any:
    """The optional `by` of a body that records who acts."""
    return Field(
        default=None,
        description="Who acts: required from a case system; from a staff session it is the "
        "signed-in member (a `by` sent is replaced).",
    )
