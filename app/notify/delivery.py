"""Which delivery reports move an outbox message on: forward only (pure; table-tested).

Twilio's statuses, as `twilio_sender.delivery_state` maps them:

* `accepted`, `scheduled`, `queued`, `sending` (ACCEPTED): Twilio has the message and has not
  handed it to the carrier yet.
* `sent` (SENT): handed to the carrier; no word from the handset yet (for some carriers the
  last word there will be).
* `delivered` (DELIVERED): the carrier says the handset has it. Final.
* `undelivered` (FAILED): the carrier could not deliver it (phone off for too long, unknown
  subscriber, filtered). Final.
* `failed` (FAILED): Twilio could not send it at all (queue overflow, invalid number). Final.
* `read`, `canceled` and inbound statuses map to nothing and change nothing.

Reports are HTTP requests: they arrive late, out of order, twice, or replayed (the signature
holds no time). So a report only moves a message that is not final yet, and only to a final
status: pending, sending or sent -> delivered or failed. Delivered, failed and cancelled never
change again. ACCEPTED and SENT reports change nothing: the send's own answer records `sent`
(and the provider's id, which the dispatcher stores only on a row still `sending`).

A message sent twice (its lease ran out mid-send) has two provider messages reporting on it:
the first final report wins. A failure report has already moved the escalation on, so a later
`delivered` from the other copy is ignored; that errs towards paging more, never less.
"""

from __future__ import annotations

from app.notify.models import OutboxStatus
from app.notify.sms import DeliveryState

FINAL = frozenset({OutboxStatus.DELIVERED, OutboxStatus.FAILED, OutboxStatus.CANCELLED})
"""Statuses no report changes."""

_BY_REPORT = {
    DeliveryState.DELIVERED: OutboxStatus.DELIVERED,
    DeliveryState.FAILED: OutboxStatus.FAILED,
}


def status_after_report(current: OutboxStatus, reported: DeliveryState) -> OutboxStatus | None:
    """The message's new status after a report of `reported`; None when it stays as it is."""
    if current in FINAL:
        return None
    return _BY_REPORT.get(reported)
