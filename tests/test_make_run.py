"""What `make run` prints: the banner is a newcomer's first map of the service, so every page
it names must be served (the staff sign-in once pointed at /a/signin, a 404)."""

from __future__ import annotations

import re

import httpx

from app.cli import PROJECT

BANNER_PATH = re.compile(r"\$\(URL\)(/[\w/.-]*)")


def banner_paths() -> list[str]:
    """The paths the Makefile's banner shows after `$(URL)`."""
    return BANNER_PATH.findall((PROJECT / "Makefile").read_text(encoding="utf-8"))


def test_the_banner_names_the_pages_a_newcomer_tries() -> None:
    assert {"/skjema", "/a/s/signin", "/docs"} <= set(banner_paths())


async def test_every_page_the_banner_names_is_served(http: httpx.AsyncClient) -> None:
    for path in banner_paths():
        response = await http.get(path, follow_redirects=True)
        assert response.status_code == 200, f"the banner names {path}: {response.status_code}"
