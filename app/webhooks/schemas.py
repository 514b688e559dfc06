"""API models of outbound webhooks: the client's endpoint and its deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from app.api.bodies import RequestBody, with_examples
from app.webhooks import signing, urls
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

MAX_PAGE = 500
DEFAULT_PAGE = 50

EVENT_EXAMPLE: dict[str, Any] = {
    "type": "alert.acknowledged",
    "timestamp": "2026-11-23T12:04:31Z",
    "data": {"alert_id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10", "status": "acknowledged"},
}
"""What a dispatch system receives (documented in the tag and the operations)."""
SECRET_EXAMPLE = "whsec_BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY="


def _syntax(url: str) -> str:
    # The https and address rules depend on the environment: the service applies them.
    problem = urls.syntax_problem(url)
    if problem is not None:
        raise ValueError(problem)
    return url


WebhookUrl = Annotated[str, Field(max_length=urls.MAX_URL_LENGTH), AfterValidator(_syntax)]


class WebhookEndpointIn(RequestBody):
    model_config = with_examples({"url": "https://amk-ost.example.no/odvarsel/webhooks"})

    url: WebhookUrl = Field(
        description="Where odvarsel posts the events: https (http only in development), at "
        "most 500 characters, no user name, password or fragment."
    )


_ENDPOINT_EXAMPLE: dict[str, Any] = {
    "url": "https://amk-ost.example.no/odvarsel/webhooks",
    "active": True,
    "created_at": "2026-11-23T12:00:00Z",
    "updated_at": "2026-11-23T12:00:00Z",
}


class WebhookEndpointOut(BaseModel):
    """The client's webhook endpoint. The signing secret is shown only when it is made."""

    model_config = with_examples(_ENDPOINT_EXAMPLE)

    url: str
    active: bool = Field(description="False after DELETE: nothing is sent until a PUT.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointOut:
        return cls.model_validate(endpoint, from_attributes=True)


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    """A new endpoint, with its signing secret: shown this once, keep it."""

    model_config = with_examples({**_ENDPOINT_EXAMPLE, "secret": SECRET_EXAMPLE})

    secret: str = Field(
        description="The Standard Webhooks signing secret (`whsec_` + base64 of 32 bytes). "
        "Shown only now; POST /v1/webhook-endpoint/rotate-secret makes a new one."
    )


class WebhookSecretOut(BaseModel):
    """A new signing secret, shown this once; every attempt from now on is signed with it."""

    model_config = with_examples({"secret": SECRET_EXAMPLE})

    secret: str


class WebhookDeliveryOut(BaseModel):
    """One event sent (or to be sent) to the client's endpoint. Every field is in every
    answer; those that may be null are not marked required."""

    model_config = with_examples(
        {
            "id": "6f1c0a5e-2f5b-4d0e-9a51-0c2b4e7d1a22",
            "webhook_id": "msg_6f1c0a5e2f5b4d0e9a510c2b4e7d1a22",
            "event_type": "alert.acknowledged",
            "subject_id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
            "status": "pending",
            "attempts": 2,
            "last_status_code": 503,
            "last_error": "HTTP 503",
            "next_attempt_at": "2026-11-23T12:05:11Z",
            "created_at": "2026-11-23T12:04:31Z",
        }
    )

    id: uuid.UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event_type: str = Field(
        description="`alert.acknowledged`, `alert.answered` or `alert.supplemented`."
    )
    subject_id: uuid.UUID | None = Field(default=None, description="The alert the event is about.")
    status: DeliveryStatus = Field(
        description="`pending` (waiting for an attempt), `sending`, `delivered` (2xx), "
        "`failed` (given up)."
    )
    attempts: int
    last_status_code: int | None = Field(
        default=None, description="HTTP status of the last attempt."
    )
    last_error: str | None = Field(
        default=None, description="Why the last attempt failed (no body)."
    )
    next_attempt_at: datetime | None = Field(
        default=None, description="When it is tried next, if pending."
    )
    created_at: datetime
    delivered_at: datetime | None = None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> WebhookDeliveryOut:
        waiting = delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
        # The row's columns carry over by name (those not shown, like the sealed payload, are
        # ignored); only the header id and the next attempt of a finished delivery differ.
        return cls.model_validate(
            {
                **delivery.model_dump(),
                "webhook_id": signing.webhook_id(delivery.id),
                "next_attempt_at": delivery.next_attempt_at if waiting else None,
            }
        )
