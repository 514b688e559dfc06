"""The staff pages as a sub-app mounted at `/a` (the SMS link prefix, `app.notify.links`).

No OpenAPI, HTML error pages instead of problem+json, security headers on every answer,
static files from the package. It shares the API's AppState (set by the main lifespan).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import is_database_unavailable
from app.paths import route_index
from app.web.access_report import router as access_report_router
from app.web.cases import router as cases_router
from app.web.concerns import router as concerns_router
from app.web.pages import WebState, message_page
from app.web.router import router
from app.web.security import Keys, SecurityHeaders
from app.web.statistics import router as statistics_router
from app.web.warning_actions import router as warning_actions_router
from app.web.warnings import router as warnings_router

log = logging.getLogger(__name__)

MOUNT_PATH = "/a"


def create_web_app(*, secret: str) -> FastAPI:
    web = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    web.state.web = WebState(keys=Keys(secret))
    web.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    web.include_router(cases_router)  # /a/cases before the links' /a/{token}
    web.include_router(concerns_router)  # /a/concerns, as /a/cases
    web.include_router(warnings_router)  # /a/warnings, as /a/cases
    web.include_router(statistics_router)  # /a/statistics, as /a/cases
    web.include_router(warning_actions_router)  # /a/warnings/<id>/..., /a/signals, as /a/cases
    web.include_router(access_report_router)  # /a/access-report, as /a/cases
    web.include_router(router)

    install_page_handlers(web)
    web.add_middleware(SecurityHeaders)
    return web


def install_page_handlers(web: FastAPI) -> None:
    """HTML error pages for a sub-app of pages (the staff pages, the form for crews)."""

    @web.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        response = message_page(request, "page.not_found", status=404 if status == 404 else status)
        if isinstance(exc, StarletteHTTPException) and exc.headers:
            response.headers.update(exc.headers)
        if status == 405:
            response.headers["Allow"] = _allow(request) or response.headers.get("Allow", "")
        return response

    @web.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: Exception) -> HTMLResponse:
        return message_page(request, "page.forbidden", status=400)

    @web.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> HTMLResponse:
        if is_database_unavailable(exc):
            response = message_page(request, "page.unavailable", status=503)
            response.headers["Retry-After"] = "5"
            return response
        log.error("page failed", extra={"error_type": type(exc).__name__})
        return message_page(request, "page.error", status=500)


def _allow(request: Request) -> str | None:
    """Every method the path takes, for a 405's `Allow` (RFC 9110 requires it): Starlette's
    names only the first matching route's, and FastAPI makes a route per method (the API's
    `app.middleware.MethodGate` does the same for the API)."""
    path, root = request.scope["path"], request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    methods = route_index(request.app).methods_of(path)
    return ", ".join(sorted(methods)) if methods else None
