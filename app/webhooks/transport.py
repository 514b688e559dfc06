"""An httpx client for webhooks that connects only to addresses the guard checked.

httpx resolves and connects inside httpcore's network backend, so the check sits there: the
backend resolves the URL's host once (`AddressGuard.checked`), refuses the connection unless
every address is allowed, and connects to a checked address itself. Nothing is looked up a
second time, so a name that answers a public address to the check and 127.0.0.1 to the
connection (DNS rebinding) gets nowhere. TLS still names the URL's host: httpcore gives the
stream's `start_tls` the host of the URL for SNI and certificate verification, and the
`Host` header comes from the URL, whatever address was connected to.

httpx 0.28 takes no network backend, so the transport drives httpcore's connection pool
itself, as httpx's own transport does, through httpcore's public API only.
"""

from __future__ import annotations

import contextlib
import ssl
import typing
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

import httpcore
import httpx

from app.webhooks.addresses import AddressGuard, RefusedAddress

# httpcore's errors that httpx names the same, by family, the most specific first in each.
_TIMEOUTS = ("ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "TimeoutException")
_NETWORK = ("ConnectError", "ReadError", "WriteError", "NetworkError")
_PROTOCOL = ("RemoteProtocolError", "LocalProtocolError", "ProtocolError", "UnsupportedProtocol")
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = tuple(
    (getattr(httpcore, name), getattr(httpx, name)) for name in (*_TIMEOUTS, *_NETWORK, *_PROTOCOL)
)
"""httpcore's errors as httpx's, the most specific first (a name either lacks fails at import)."""


class ConnectionRefusedByGuard(httpcore.ConnectError):
    """No connection was opened: the host does not resolve or an address is refused."""


def refused_by_guard(exc: BaseException) -> bool:
    """Whether `exc` (an httpx error) comes from the guard rather than the network."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedByGuard):
            return True
        seen = seen.__cause__
    return False


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend that resolves once, checks, and connects to what it checked."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._guard.checked(host, port)
        except RefusedAddress as exc:
            raise ConnectionRefusedByGuard(str(exc)) from exc
        refused: httpcore.ConnectError | None = None
        for address in addresses:  # the next one only when one refuses the connection
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                refused = exc
        assert refused is not None  # `checked` answers at least one address
        raise refused

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ConnectionRefusedByGuard("webhooks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core_error, httpx_error in _ERRORS:
            if isinstance(exc, core_error):
                raise httpx_error(str(exc)) from exc
        raise


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over connections opened by `GuardedBackend`; no proxies."""

    def __init__(self, guard: AddressGuard, *, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=GuardedBackend(guard)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=typing.cast(AsyncIterable[bytes], request.stream),
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(typing.cast(AsyncIterable[bytes], response.stream)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


def guarded_client(guard: AddressGuard, *, ssl_context: ssl.SSLContext) -> httpx.AsyncClient:
    """A client whose every connection passes `guard`; no proxy from the environment (a proxy
    would connect in our place, unchecked), no redirects."""
    return httpx.AsyncClient(
        transport=GuardedTransport(guard, ssl_context=ssl_context),
        trust_env=False,
        follow_redirects=False,
    )
