"""An OpenID Connect issuer's key set on loopback (HelseID's stand-in), for tests and trials.

It serves the key set at `/jwks` and a discovery document at
`/.well-known/openid-configuration` naming it; every fetch of the key set is counted, and the
keys may be replaced while it serves (the issuer rotates its keys)::

    issuer = FakeJwks({"keys": [...]})
    async with issuer.serving() as base_url:
        ...  # CLIENT_OIDC__JWKS_URL=f"{base_url}/jwks"; issuer.keys = {...}; issuer.fetches
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devtools.loopback import free_port, serve_loopback

JWKS_PATH = "/jwks"


class FakeJwks:
    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys
        """The JWKS document served (`{"keys": [...]}`); replace it to rotate."""
        self.fetches = 0
        self.app = Starlette(
            routes=[
                Route(JWKS_PATH, self._jwks),
                Route("/.well-known/openid-configuration", self._discovery),
            ]
        )

    async def _jwks(self, _request: Request) -> JSONResponse:
        self.fetches += 1
        return JSONResponse(self.keys)

    async def _discovery(self, request: Request) -> JSONResponse:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"issuer": base, "jwks_uri": base + JWKS_PATH})

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        """Serves on 127.0.0.1 (a free port of TEST_PORT_RANGE); yields the base URL."""
        async with serve_loopback(self.app, port=free_port()) as running:
            yield running.base_url
