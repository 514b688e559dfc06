"""Client secrets: generated with `secrets`, kept only as argon2id hashes.

The parameters are OWASP's argon2id minimum (19 MiB, 2 passes, one lane) rather than the
library's 64 MiB and four lanes: the secrets are 256 random bits, so no hash cost adds to
their strength against guessing, while every wrong secret sent costs the service one check
(one lane: a check occupies one core, not four). Hashes keep their own parameters, so
secrets hashed before still verify.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
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
