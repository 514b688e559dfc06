"""The alert as a dispatch system sends it: `POST /v1/alerts` (docs/rules.md, "The alert as
sent").

The four required fields are strict: if one is missing or malformed the alert is refused with
422. Every other field is optional and lenient: a value that fails validation is left out, the
alert is accepted, and the response names the field and the reason.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from app.alerts.schemas.content import AlertContent
from app.alerts.schemas.examples import ALERT_EXAMPLE, ALERT_V1_EXAMPLE
from app.alerts.schemas.sections import Consent, Reporter, SafeText
from app.api.bodies import with_examples
from app.instants import BoundedInstant
from app.norway.types import MunicipalityCode
from app.overdose.enums import AlertKind

REQUIRED_FIELDS = ("dispatch_incident_id", "occurred_at", "municipality", "kind")


class AlertIn(AlertContent):
    """An overdose alert as a dispatch system sends it."""

    STRICT: ClassVar[tuple[str, ...]] = REQUIRED_FIELDS

    model_config = with_examples(ALERT_EXAMPLE, ALERT_V1_EXAMPLE)

    dispatch_incident_id: Annotated[
        SafeText,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"),
    ] = Field(description="The dispatch system's incident id: the idempotency key.")
    occurred_at: BoundedInstant = Field(
        description="When it happened, with a UTC offset. At most `INTAKE__MAX_AGE_DAYS` "
        "(365) days before and `INTAKE__MAX_FUTURE_MINUTES` (60) minutes after the service's "
        "clock: other times are refused (422) as the sign of a wrong clock or time zone."
    )
    municipality: MunicipalityCode = Field(
        description="Kommunenummer (4 digits), e.g. 3107 Fredrikstad."
    )
    kind: AlertKind = Field(description="`fatal` needs no outcome, or `deceased`.")
    consent: Consent | None = Field(
        default=None,
        description="Absent means `not_asked`. A consent that cannot be read is treated as "
        "`objected`, the most protective reading.",
    )
    reporter: Reporter | None = None

    @model_validator(mode="after")
    def _tidy(self) -> Self:
        return self.tidy(occurred_at=self.occurred_at)
