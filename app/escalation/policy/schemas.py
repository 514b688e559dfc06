"""API models of a team's escalation policy (admin API)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.api.bodies import RequestBody, with_examples
from app.escalation.policy.rules import MAX_REPEAT, TargetKind
from app.norway.types import MobileStr
from app.strict import Integer

POLICY_EXAMPLE: dict[str, Any] = {
    "steps": [
        {"delay_minutes": 5, "targets": [{"kind": "on_duty"}]},
        {"delay_minutes": 5, "targets": [{"kind": "on_duty"}, {"kind": "leader"}]},
        {"delay_minutes": 10, "targets": [{"kind": "team"}]},
    ],
    "repeat": 1,
    "fallback_number": "+4790000009",
}


class StepTargetModel(RequestBody):
    kind: TargetKind = Field(
        description="`on_duty`: whoever the roster has on duty then; `members`: the named "
        "members; `leader`: the team's leader; `team`: every active member; `fallback`: the "
        "policy's fallback number."
    )
    member_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="With `members` only: active members of this team.",
    )


class StepModel(RequestBody):
    delay_minutes: Integer = Field(
        ge=1, le=24 * 60, description="Minutes to wait for an acknowledgement before the next step."
    )
    targets: list[StepTargetModel] = Field(min_length=1, max_length=10)


class PolicyIn(RequestBody):
    """Steps run in order, then the whole list `repeat` more times; then the fallback number
    and the leader are paged once more and escalation stops."""

    model_config = with_examples(POLICY_EXAMPLE)

    steps: list[StepModel] = Field(min_length=1, max_length=20)
    repeat: Integer = Field(
        default=0, ge=0, le=MAX_REPEAT, description="Extra passes over all steps."
    )
    fallback_number: MobileStr | None = Field(
        default=None,
        description="A Norwegian mobile (gets SMS): paged at once when nobody is on duty, "
        "and when the policy is exhausted. Stored as E.164.",
    )


class PolicyOut(BaseModel):
    team_id: uuid.UUID
    configured: bool = Field(
        description="false: the team has no policy of its own and escalates by the default "
        "shown here (on duty, then on duty and leader, then the whole team; twice over; "
        "no fallback number)."
    )
    steps: list[StepModel]
    repeat: int = Field(examples=[1])
    fallback_number: str | None = Field(examples=["+4790000009"])
    updated_at: datetime | None
