"""Tokens are judged by the service clock alone, however far it is from the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.auth.tokens import ExpiredToken, InvalidToken, TokenCodec

CODEC = TokenCodec(
    secret="test-signing-key-0123456789-abcdefghijklmnop",
    issuer="odvarsel",
    audience="odvarsel-api",
    lifetime=timedelta(minutes=60),
)

# Years away from any wall clock CI may run under (it shifts the clock five years ahead and
# one back): if the library compared with the wall clock, one side of these would fail.
FAR_INSTANTS = [
    datetime(1995, 3, 1, 8, 0, tzinfo=UTC),
    datetime(2013, 7, 15, 23, 59, tzinfo=UTC),
    datetime(2045, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2090, 12, 31, 12, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("now", FAR_INSTANTS)
def test_a_fresh_token_is_valid_on_the_service_clock(now: datetime):
    token = CODEC.issue(client_id="amk-ost", scopes=["alerts:write"], now=now)
    claims = CODEC.verify(token, now=now + timedelta(minutes=59))
    assert claims.client_id == "amk-ost"
    assert claims.expires_at == now + timedelta(minutes=60)


@pytest.mark.parametrize("now", FAR_INSTANTS)
def test_a_token_expires_on_the_service_clock(now: datetime):
    token = CODEC.issue(client_id="amk-ost", scopes=["alerts:write"], now=now)
    with pytest.raises(ExpiredToken):
        CODEC.verify(token, now=now + timedelta(minutes=60))


@pytest.mark.parametrize("now", FAR_INSTANTS)
def test_a_token_from_the_future_of_the_service_clock_is_refused(now: datetime):
    token = CODEC.issue(client_id="amk-ost", scopes=["alerts:write"], now=now + timedelta(hours=1))
    with pytest.raises(InvalidToken, match="future"):
        CODEC.verify(token, now=now)
