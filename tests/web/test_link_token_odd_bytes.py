"""Odd bytes where a link token belongs: the staff's take/ack links (`/a/<token>` and its
actions), the staff and reporter sign-in links, and the crew's alert page. Each is a page (a
not-found, a refusal), never a 5xx; tests/web/test_page_odd_bytes.py has the forms."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.staff_auth import browser_client

ODD_TOKENS = [
    "%00",
    "AbCdEfGh%00kl",
    "AbCdEfGh12%FF",
    "%C0%AF%C0%AF",
    "%ED%A0%80" * 4,
    "%EF%BF%BF" * 12,
    "%E2%80%AE" + "a" * 11,
    "a" * 8000,
    "..%2F..%2Fetc",
    "%F0%9F%98%80" * 12,
]


@pytest.mark.parametrize("token", ODD_TOKENS, ids=range(len(ODD_TOKENS)))
async def test_an_odd_link_token_is_a_page_never_a_5xx(app: FastAPI, token: str) -> None:
    async with browser_client(app) as browser:
        for path in (f"/a/{token}", f"/a/s/{token}", f"/skjema/s/{token}"):
            assert (await browser.get(path)).status_code == 404, path
        for path in (
            f"/a/{token}/take",
            f"/a/{token}/show",
            f"/a/{token}/answer",
            f"/a/s/{token}",
            f"/skjema/s/{token}",
        ):
            answer = await browser.post(path, data={"csrf": "x"})
            assert 400 <= answer.status_code < 500, (path, answer.status_code)
        answer = await browser.get(f"/skjema/varsel/{token}")
        assert answer.status_code < 500, answer.status_code
