"""API models of drug warnings: drafting, editing, approving and reviewing one, and the
warnings a municipality receives from its neighbours."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from app.api.bodies import RequestBody, one_at_least, with_examples
from app.drug_warnings.recipients import Dispatch, RecipientChannel, WarningKind
from app.drug_warnings.schemas import (
    ActingStaff,
    Note,
    acting_field,
    text_between,
)
from app.drug_warnings.warnings.models import WarningStatus
from app.input_guard import refuse_control_characters
from app.norway.types import MunicipalityCode
from app.privacy.free_text import no_personal_numbers
from app.strict import Integer

MAX_WARNING_TEXT = 300
MAX_VALID_DAYS = 90
DEFAULT_VALID_DAYS = 14
ValidDays = Annotated[Integer, Field(ge=1, le=MAX_VALID_DAYS)]


def _one_line(text: str) -> str:
    return " ".join(text.split())


WarningText = Annotated[
    str,
    text_between(3, MAX_WARNING_TEXT),
    AfterValidator(refuse_control_characters),
    AfterValidator(_one_line),
    AfterValidator(no_personal_numbers),
]


class WarningIn(RequestBody):
    model_config = with_examples(
        {
            "municipality": "3107",
            "signal_id": "6f1c2b9e-3a57-4a0e-9a43-1a9d2f4c8b11",
            "text": "Flere overdoser siste døgn i sentrum. Mulig sterkt opioid solgt som "
            "heroin. Ikke bruk alene, ta en liten prøvedose, ha nalokson klar.",
            "valid_days": 14,
            "by": {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"},
        }
    )

    municipality: MunicipalityCode
    signal_id: uuid.UUID | None = Field(default=None, description="The cluster it answers")
    concern_report_id: uuid.UUID | None = Field(
        default=None, description="The concern report it answers"
    )
    text: WarningText = Field(
        description="What the SMS says after «Rusvarsel fra <kommune>, gjelder til <dato>:»: "
        "3-300 characters, one line; no names, national ids or phone numbers. Write "
        "«flere», not a count below 5: the SMS leaves the service, as anonymous statistics do."
    )
    valid_days: ValidDays = Field(
        default=DEFAULT_VALID_DAYS, description="In force this many days after approval."
    )
    kind: WarningKind | None = Field(
        default=None,
        description="What it warns of; decides who is suggested as recipients. Omitted: "
        "`cluster` when drafted from a signal, else `substance`.",
    )
    by: ActingStaff | None = acting_field()

    _has_a_source = one_at_least(
        "signal_id", "concern_report_id", message="give signal_id or concern_report_id (or both)"
    )


class WarningEdit(RequestBody):
    text: WarningText | None = None
    valid_days: ValidDays | None = None
    kind: WarningKind | None = None
    by: ActingStaff | None = acting_field()


MAX_RECIPIENTS = 300


class ApprovalIn(RequestBody):
    model_config = with_examples(
        {
            "recipients": ["sms:+4791234567", "sms:+4790000301", "email:varsel@example.no"],
            "by": {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"},
        }
    )

    recipients: list[Annotated[str, text_between(5, 300)]] | None = Field(
        default=None,
        max_length=MAX_RECIPIENTS,
        json_schema_extra={"uniqueItems": True},
        description="Who gets it: the `key`s of the draft's `recipients` the leader picked "
        "(contacts and external recipients; `[]`: nobody by SMS or e-mail, the neighbours "
        "still see it). Omitted: the suggested selection. The choice is stored with the "
        "warning.",
    )
    by: ActingStaff | None = acting_field()


class ReviewIn(RequestBody):
    by: ActingStaff | None = acting_field()
    note: Note = Field(description="What the review found (3-1000 characters).")


class WarningState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"


class SmsCounts(BaseModel):
    pending: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0


class RecipientOut(BaseModel):
    """A recipient of the municipality's lists, as the warning offers or stored it."""

    key: str = Field(description="What the approval's `recipients` names")
    name: str
    channel: RecipientChannel
    address: str = Field(description="The mobile (E.164) or e-mail address")
    external: bool = Field(description="Outside the service (the settings' `external`)")
    municipality: str | None
    suggested: bool = Field(description="Suggested for this kind of warning")
    chosen: bool | None = Field(description="Chosen by the leader; null on a draft")
    dispatch: Dispatch | None = Field(
        description="How it was sent: `sms` by the service, `to_be_sent_by_email` by the "
        "leader (odvarsel sends no e-mail); null if not chosen"
    )


class WarningOut(BaseModel):
    id: uuid.UUID
    municipality: str
    status: WarningStatus
    state: WarningState = Field(description="`draft`; `active` until `expires_at`; `expired`")
    review_due: bool = Field(description="Expired and not reviewed yet")
    signal_id: uuid.UUID | None
    concern_report_id: uuid.UUID | None
    text: str
    sms_text: str = Field(description="The SMS as it goes (or would go, if approved now)")
    valid_days: int
    kind: WarningKind
    created_at: datetime
    created_by: str
    updated_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    expires_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_note: str | None
    sms: SmsCounts = Field(description="The SMS to the contact list, by state")
    neighbours: list[str] = Field(description="Municipalities it arrived in")
    recipients: list[RecipientOut] = Field(
        description="A draft: everyone it can go to, `suggested` ticked for its kind. "
        "Approved: who the leader chose (and the suggested ones left out), as stored."
    )


class IncomingWarningOut(BaseModel):
    """A warning approved in a neighbouring municipality."""

    id: uuid.UUID
    warning_id: uuid.UUID
    municipality: str = Field(description="The receiving municipality")
    from_municipality: str
    from_municipality_name: str
    text: str
    approved_at: datetime
    expires_at: datetime
    received_at: datetime
    expired: bool
