"""Serves an ASGI app with uvicorn on 127.0.0.1 inside the current event loop (fakes, tests)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

PORT_RANGE_VARIABLE = "TEST_PORT_RANGE"
"""`low-high`: take `free_port` ports from this range (CI runs two suites side by side, each
with a range of its own, below the kernel's ephemeral ports, so they never pick the same)."""


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (for a URL needed before serving)."""
    bounds = os.environ.get(PORT_RANGE_VARIABLE)
    if not bounds:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    low, high = (int(part) for part in bounds.split("-"))
    size = high - low + 1
    start = secrets.randbelow(size)
    for offset in range(size):
        port = low + (start + offset) % size
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE_VARIABLE}={bounds}")


class _InProcessServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The host process (pytest, a benchmark) keeps its own signal handling.
        yield


@dataclass
class LoopbackServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in the current event loop."""

    base_url: str
    port: int
    _server: uvicorn.Server
    _task: asyncio.Task[None]

    def stop(self) -> None:
        self._server.should_exit = True

    async def wait(self) -> None:
        await asyncio.shield(self._task)


@contextlib.asynccontextmanager
async def serve_loopback(app: ASGIApp, *, port: int = 0) -> AsyncIterator[LoopbackServer]:
    """Serves `app` on 127.0.0.1:`port` (0 picks a free one) until the block exits."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        config = uvicorn.Config(
            app,
            log_config=None,  # leave the host's logging alone
            log_level=None,
            access_log=False,
            ws="none",
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        server = _InProcessServer(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                await task
                raise RuntimeError("uvicorn did not start")
            await asyncio.sleep(0.005)
        actual_port = int(sock.getsockname()[1])
        loopback = LoopbackServer(f"http://127.0.0.1:{actual_port}", actual_port, server, task)
        try:
            yield loopback
        finally:
            server.should_exit = True
            await task
    finally:
        sock.close()
