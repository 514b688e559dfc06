"""The timeline as the dispatcher reads it (`GET /v1/alerts/{id}`): no personal data."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.timeline.models import AlertEventKind


class StaffRef(BaseModel):
    """The staff member who acted: name, role and team (staff data, not the patient's)."""

    name: str = Field(examples=["Kari Nordmann"])
    role: str = Field(examples=["sykepleier"])
    team: str = Field(examples=["Ressursteam overdose"])


class CrewAnswer(BaseModel):
    """What the person who took the alert answered the crew."""

    kind: str = Field(
        description="`coming`, `bring_to`, `cannot_come` or `free_text`", examples=["coming"]
    )
    text: str = Field(
        description="The answer as sent to the crew, in Norwegian",
        examples=["Kommer, ca. 20 min"],
    )
    minutes: int | None = Field(default=None, description="`coming`: about how many minutes")
    place: str | None = Field(default=None, description="`bring_to`: the municipality's place")
    follow_up: str | None = Field(default=None, description="`cannot_come`: when we follow up")


class TimelineEntry(BaseModel):
    at: datetime
    kind: AlertEventKind
    step: int | None = Field(default=None, description="`paged`: the step, from 1")
    round: int | None = Field(default=None, description="`paged`: the round, from 1")
    roles: list[str] | None = Field(
        default=None, description="`paged`: the roles reached (`fallback` for the fallback number)"
    )
    by: StaffRef | None = Field(default=None, description="`acknowledged`, `answered`")
    via: str | None = Field(default=None, description="`acknowledged`: `link` or `sms`")
    answer: CrewAnswer | None = None
    action: str | None = Field(
        default=None,
        description="`triaged`: `page_now`, `working_hours`, `no_page` or `fatal`",
    )
    page_at: datetime | None = Field(default=None, description="`triaged`: when paging starts")
    reason: str | None = Field(
        default=None, description="`triaged`: `objected`, `fatal`, `rule N` or `default`"
    )
    version: int | None = Field(default=None, description="`supplemented`: the new version")
    changed: list[str] | None = Field(
        default=None, description="`supplemented`: the fields it set (paths, no values)"
    )
    consent_state: str | None = Field(
        default=None, description="`supplemented`: the consent after it"
    )
    purged: list[str] | None = Field(
        default=None,
        description="`supplemented`: categories of data deleted because the consent no longer "
        "lets anyone see them",
    )
