"""Client secrets: generated with `secrets`, kept only as argon2id hashes."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the client id is unknown, so timing does not reveal which ids exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return str(_hasher.hash(secret))


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    try:
        return bool(_hasher.verify(secret_hash or _DUMMY_HASH, secret)) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False
