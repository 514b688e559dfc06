"""The Twilio sender: the official twilio library, its HTTP calls made through httpx."""

from __future__ import annotations

import logging
from typing import Any, cast

import httpx
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from app.config.sections import SmsSettings
from app.notify.sms import (
    DeliveryState,
    SendResult,
    SmsMessage,
    SmsPermanentError,
    SmsTemporaryError,
)

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"

# Twilio's message statuses in our words; "read", "canceled" and inbound ones change nothing.
_STATES = {
    "accepted": DeliveryState.ACCEPTED,
    "scheduled": DeliveryState.ACCEPTED,
    "queued": DeliveryState.ACCEPTED,
    "sending": DeliveryState.ACCEPTED,
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "failed": DeliveryState.FAILED,
    "undelivered": DeliveryState.FAILED,
}


def delivery_state(twilio_status: str) -> DeliveryState | None:
    """Twilio's MessageStatus as a DeliveryState; None for a status we do not act on."""
    return _STATES.get(twilio_status)


class HttpxTwilioClient(AsyncHttpClient):  # type: ignore[misc]  # twilio is untyped
    """twilio's AsyncHttpClient over a shared httpx.AsyncClient, with a rewritable API base.

    Mirrors twilio.http.async_http_client (aiohttp) without the extra session: the httpx
    client is owned by the app's lifespan, so it is pooled and closed there, not here.
    """

    def __init__(self, http: httpx.AsyncClient, *, base_url: str, timeout: float) -> None:
        super().__init__(logger, True, timeout)
        self._http = http
        self._base_url = base_url.rstrip("/")

    def rewrite(self, url: str) -> str:
        """The library's https://api.twilio.com prefix replaced by the configured base."""
        if url.startswith(TWILIO_API + "/"):
            return self._base_url + url[len(TWILIO_API) :]
        return url

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109  # the library passes it by this name
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        if timeout is not None and timeout <= 0:
            raise ValueError(timeout)
        url = self.rewrite(uri)
        # Not the library's log_request: it logs at INFO. Never the form data (the SMS body).
        logger.debug("twilio request", extra={"method": method.upper(), "url": url})
        response = await self._http.request(
            method.upper(),
            url,
            params=cast(Any, params),
            data=cast(Any, data),
            headers=headers,
            auth=auth,
            timeout=timeout if timeout is not None else self.timeout,
            follow_redirects=allow_redirects,
        )
        logger.debug("twilio response", extra={"status": response.status_code, "url": url})
        return TwilioResponse(response.status_code, response.text, response.headers)


class TwilioSender:
    """Sends through Twilio's Messages API; maps every failure to the SmsSender errors."""

    def __init__(self, settings: SmsSettings, http: httpx.AsyncClient) -> None:
        if settings.twilio_auth_token is None:
            raise ValueError("SMS__TWILIO_AUTH_TOKEN must be set for the twilio backend")
        self._from = settings.twilio_from_number
        self._twilio_http = HttpxTwilioClient(
            http, base_url=settings.twilio_base_url, timeout=settings.send_timeout_seconds
        )
        self._client = Client(
            username=settings.twilio_account_sid,
            password=settings.twilio_auth_token.get_secret_value(),
            account_sid=settings.twilio_account_sid,
            http_client=self._twilio_http,
            # Not os.environ: TWILIO_EDGE / TWILIO_REGION there would change the API host and
            # the base URL rewrite would silently stop applying.
            environment={"TWILIO_EDGE": "", "TWILIO_REGION": ""},
        )

    async def send(self, message: SmsMessage) -> SendResult:
        try:
            created = await self._client.messages.create_async(
                to=message.to,
                from_=self._from,
                body=message.body,
                status_callback=message.status_callback,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _map_twilio_error(int(exc.status), exc.code) from exc
        except httpx.TimeoutException as exc:
            raise SmsTemporaryError(f"Twilio timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise SmsTemporaryError(f"Twilio unreachable: {type(exc).__name__}") from exc
        logger.debug("sms accepted by twilio", extra={"provider_id": created.sid})
        state = delivery_state(str(created.status or "queued")) or DeliveryState.ACCEPTED
        return SendResult(provider_id=str(created.sid), state=state)

    async def aclose(self) -> None:
        """Nothing of its own to close: the httpx client belongs to whoever passed it in."""


def _map_twilio_error(status: int, code: object) -> SmsTemporaryError | SmsPermanentError:
    twilio_code = code if isinstance(code, int) else None
    logger.warning("twilio refused sms", extra={"status": status, "code": twilio_code})
    if status == 429 or status >= 500:
        return SmsTemporaryError(
            f"Twilio answered {status} (code {twilio_code})", status=status, code=twilio_code
        )
    return SmsPermanentError(
        twilio_code, f"Twilio refused the SMS: {status} (code {twilio_code})", status=status
    )
