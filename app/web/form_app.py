"""The form for crews as a sub-app mounted at `/skjema` (`FORM_PATH`), beside the staff
pages at `/a`: its own session cookie (scoped to `/skjema`, app/web/form_session.py), the
staff pages' security headers, HTML error pages, static files and templates. It shares the
API's AppState (set by the main lifespan).

* `/skjema/`: the form (app/web/form.py); `/skjema/varsel/<id>`: an alert the reporter sent.
* `/skjema/s/...`: the reporter's sign-in (app/web/form_signin.py).
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.web.app import install_page_handlers
from app.web.form import router as form_router
from app.web.form_session import FormKeys
from app.web.form_signin import router as signin_router
from app.web.security import HEADERS, SecurityHeaders

FORM_PATH = "/skjema"


class FormHeaders(SecurityHeaders):
    """The staff pages' headers, and one script of the form's own (`static/form-draft.js`:
    a draft of the choices kept across a lost connection); never an inline one."""

    headers = MappingProxyType(
        {
            **HEADERS,
            "content-security-policy": HEADERS["content-security-policy"].replace(
                "default-src 'none';", "default-src 'none'; script-src 'self';"
            ),
        }
    )


def create_form_app(*, secret: str) -> FastAPI:
    form = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    form.state.form_keys = FormKeys(secret)
    form.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    form.include_router(signin_router)
    form.include_router(form_router)

    install_page_handlers(form)
    form.add_middleware(FormHeaders)
    return form
