"""Standard Webhooks (standardwebhooks.com) bodies, ids, secrets and signed headers (pure).

The body is the canonical JSON of the payload fixed at enqueue time, so every attempt and
every resend posts the same bytes; only `webhook-timestamp` and the signature change.
"""

from __future__ import annotations

import base64
import json
import math
import secrets
import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ID_PREFIX = "msg_"


def generate_secret() -> str:
    """`whsec_` + base64 of 32 random bytes, the format the Standard Webhooks libraries read."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def webhook_id(delivery_id: uuid.UUID) -> str:
    """The `webhook-id` header: stable across attempts and resends, for deduplication."""
    return ID_PREFIX + delivery_id.hex


def iso_utc(instant: datetime) -> str:
    """`2026-11-23T12:00:00Z`: ISO 8601 in UTC, as Standard Webhooks payloads carry it."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def payload_of(*, event_type: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The body as plain JSON values (uuids and datetimes as text); TypeError on others."""
    body = {"type": event_type, "timestamp": iso_utc(at), "data": data}
    loaded: dict[str, Any] = json.loads(json.dumps(body, default=_json_value))
    return loaded


def body_of(payload: dict[str, Any]) -> bytes:
    """The bytes posted: canonical JSON (sorted keys, no spaces), the same every time."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(*, secret: str, msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """Headers of one attempt, signed for the attempt's time by the maintained library."""
    at = at.astimezone(UTC)  # the library reads the time as UTC whatever its zone
    signature = Webhook(secret).sign(msg_id, at, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
