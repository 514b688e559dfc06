"""The webhook engine: posts due deliveries, signed, outside any transaction.

A round claims due deliveries with a lease in one short transaction (at most one per client:
the oldest still waiting, so a client receives its events in order), posts them side by
side, and commits each outcome as soon as it returns: 2xx is delivered; anything else (a
status, refused, a timeout) is retried with backoff until `WEBHOOKS__MAX_ATTEMPTS` or
`WEBHOOKS__MAX_AGE_HOURS`, then failed. A worker that dies mid-post leaves a lease that runs
out, and the delivery is posted again under the same `webhook-id` (receivers deduplicate).

Connections go only to addresses the guard checked (`app.webhooks.transport`). What the
client sees of an attempt that got no HTTP answer is "not delivered", recorded as of the
round's start: neither its text nor its time tells a closed port from a silent one or from
an address that was refused, so the delivery log is no port scanner. The reason goes to the
operator's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.db import describe_error
from app.privacy.crypto import DecryptionError, FieldCipher
from app.webhooks import repository, service, signing, urls
from app.webhooks.addresses import AddressGuard, policy_of
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.webhooks.transport import guarded_client, refused_by_guard

log = logging.getLogger(__name__)

BACKOFF = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
"""The wait after the 1st, 2nd, ... failed attempt; hourly after the last."""
LEASE_MARGIN = timedelta(seconds=30)
USER_AGENT = "odvarsel-webhooks"
NOT_DELIVERED = "not delivered"
"""The client's record of any attempt without an HTTP answer."""


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` (>= 1) failed ones."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one post needs, read in the claim transaction."""

    delivery_id: uuid.UUID
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    """What the client's delivery log shows."""
    reason: str | None = None
    """What the operator's log shows, when it says more than `error`."""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookEngine:
    """Posts due webhook deliveries; one failing delivery never stops the others."""

    name = "webhooks"

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Settings,
        cipher: FieldCipher,
        addresses: AddressGuard | None = None,
    ) -> None:
        """`addresses` checks every connection (the app's, shared with registration; one
        from the settings if not given)."""
        self._sessions = sessions
        self._clock = clock
        self._settings = settings.webhooks
        self.addresses = addresses or AddressGuard(policy_of(settings))
        self._ssl_context: ssl.SSLContext | None = None
        self._cipher = cipher
        self._timeout = self._settings.timeout_seconds
        self._lease = timedelta(seconds=self._timeout) + LEASE_MARGIN

    def due(self, now: datetime) -> ColumnElement[bool]:
        return repository.any_due(now)

    async def run_once(self, now: datetime) -> int:
        """Claim up to `batch_size` due deliveries and post them side by side; how many."""
        async with self._sessions() as session, session.begin():
            claimed = await repository.claim_due(
                session, now=now, lease_until=now + self._lease, limit=self._settings.batch_size
            )
            endpoints = await repository.endpoints_of(session, {d.client_id for d in claimed})
            attempts = [
                a
                for d in claimed
                if (a := self._attempt(d, endpoints.get(d.client_id), now)) is not None
            ]
        if attempts:
            async with self._client() as http:
                await asyncio.gather(*(self._post_and_record(http, a, now) for a in attempts))
        return len(claimed)

    def _attempt(
        self, delivery: WebhookDelivery, endpoint: WebhookEndpoint | None, now: datetime
    ) -> Attempt | None:
        """The post to make, or None when the delivery was settled here instead (a row that
        cannot be posted must not roll back the claims of the others)."""
        if endpoint is None or not endpoint.active:
            self._give_up(delivery, Outcome(None, "the webhook endpoint is deactivated"))
            return None
        opening = "the signing secret"
        try:
            secret = service.open_secret(self._cipher, endpoint)
            opening = "the payload"
            body = service.open_body(self._cipher, delivery)
        except DecryptionError:  # a key removed from CRYPTO__KEYS: retried, it may come back
            self._apply(delivery, Outcome(None, f"{opening} cannot be opened"), now)
            return None
        except Exception as exc:
            self._apply(delivery, Outcome(None, type(exc).__name__), now)
            return None
        return Attempt(delivery_id=delivery.id, url=endpoint.url, secret=secret, body=body)

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client for one round: its connections are pooled for the round's posts only."""
        if self._ssl_context is None:  # loading the CA bundle takes a while: once
            self._ssl_context = httpx.create_ssl_context()
        async with guarded_client(self.addresses, ssl_context=self._ssl_context) as http:
            yield http

    async def _post_and_record(
        self, http: httpx.AsyncClient, attempt: Attempt, started: datetime
    ) -> None:
        outcome = await self._post(http, attempt)
        # A failure is recorded as of the round's start, so its time tells nothing either.
        recorded_at = self._clock.now() if outcome.delivered else started
        try:
            async with self._sessions() as session, session.begin():
                delivery = await repository.get_delivery(
                    session, attempt.delivery_id, for_update=True
                )
                if delivery is not None and delivery.status == DeliveryStatus.SENDING:
                    self._apply(delivery, outcome, recorded_at)
        except Exception as exc:  # one delivery's record must not lose the others'
            log.error(
                "webhook outcome could not be recorded; the lease will post it again",
                extra={"delivery_id": str(attempt.delivery_id), **describe_error(exc)},
            )

    async def _post(self, http: httpx.AsyncClient, attempt: Attempt) -> Outcome:
        """Post one attempt, signed for its own time; every failure becomes an outcome."""
        if (problem := urls.url_problem(attempt.url, self.addresses.policy)) is not None:
            return Outcome(None, NOT_DELIVERED, f"the endpoint URL {problem}")
        try:
            headers = signing.signed_headers(
                secret=attempt.secret,
                msg_id=signing.webhook_id(attempt.delivery_id),
                at=self._clock.now(),
                body=attempt.body,
            )
            headers["User-Agent"] = USER_AGENT
            # One deadline for the whole exchange; the response body is never read.
            async with (
                asyncio.timeout(self._timeout),
                http.stream(
                    "POST",
                    attempt.url,
                    content=attempt.body,
                    headers=headers,
                    timeout=self._timeout,
                    follow_redirects=False,
                ) as response,
            ):
                status_code = response.status_code
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, NOT_DELIVERED, "timed out")
        except Exception as exc:  # refused, reset, TLS, a URL httpx will not post to
            reason = "address refused" if refused_by_guard(exc) else type(exc).__name__
            return Outcome(None, NOT_DELIVERED, reason)
        return Outcome(status_code, None if 200 <= status_code < 300 else f"HTTP {status_code}")

    def _apply(self, delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
        """Record an attempt: delivered, retried after its backoff, or given up."""
        started = delivery.resent_at or delivery.created_at
        too_old = now - started >= timedelta(hours=self._settings.max_age_hours)
        if outcome.delivered:
            _note(delivery, outcome, DeliveryStatus.DELIVERED)
            delivery.delivered_at = now
            return
        if delivery.attempts >= self._settings.max_attempts or too_old:
            self._give_up(delivery, outcome)
            return
        _note(delivery, outcome, DeliveryStatus.PENDING)
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        log.info(
            "webhook attempt failed, will retry",
            extra={
                "delivery_id": str(delivery.id),
                "status_code": outcome.status_code,
                "reason": outcome.reason or outcome.error,
            },
        )

    @staticmethod
    def _give_up(delivery: WebhookDelivery, outcome: Outcome) -> None:
        _note(delivery, outcome, DeliveryStatus.FAILED)
        log.warning(
            "webhook delivery given up",
            extra={
                "delivery_id": str(delivery.id),
                "attempts": delivery.attempts,
                "reason": outcome.reason or outcome.error,
            },
        )


def _note(delivery: WebhookDelivery, outcome: Outcome, status: DeliveryStatus) -> None:
    delivery.status = status
    delivery.lease_until = None
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:200] if outcome.error else None
