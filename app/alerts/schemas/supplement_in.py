"""A supplement to an alert: `POST /v1/alerts/{id}/supplements` (docs/rules.md,
"Supplements: a new version, never an overwrite").

Only the fields given change; the rest of the alert stays. Its id and a corrected kind are
strict (422 when invalid), every other field is lenient as in the alert.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from app.alerts.schemas.content import AlertContent
from app.alerts.schemas.examples import SUPPLEMENT_EXAMPLE
from app.alerts.schemas.sections import SafeText
from app.api.bodies import with_examples
from app.overdose.enums import AlertKind


class SupplementIn(AlertContent):
    """What the crew learned after the alert: later consent, the outcome, where the person
    went, a correction. Only the fields given change; the rest of the alert stays."""

    # An odd id would make a retry a second version, and an odd kind would leave the
    # correction unmade: both are refused, not dropped.
    STRICT: ClassVar[tuple[str, ...]] = ("supplement_id", "kind")

    model_config = with_examples(SUPPLEMENT_EXAMPLE)

    supplement_id: (
        Annotated[
            SafeText,
            StringConstraints(
                strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="The sender's id of this supplement, to make a retry safe: the same id "
        "with the same content answers the version stored; with other content, 409. An "
        "invalid id is refused (422), not dropped.",
    )
    kind: AlertKind | None = Field(
        default=None,
        description="A correction of the kind: `fatal` when the person died. Unlike the other "
        "optional fields, an invalid kind is refused (422), not dropped.",
    )

    @model_validator(mode="after")
    def _tidy(self) -> Self:
        return self.tidy(occurred_at=None)
