"""Helpers of the staff sign-in tests: a browser-like client, the sign-in SMS in the outbox,
and a local OpenID Connect provider (RSA and EC keys made here, tokens signed with them)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec as ec_keys
from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys
from fastapi import FastAPI
from jose import jwk, jwt
from sqlalchemy import text

from app.state import AppState

SIGNIN_LINK = re.compile(r"https?://\S+/a/s/[A-Za-z0-9]{16}")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
ISSUER = "https://login.fredrikstad.kommune.test"
AUDIENCE = "odvarsel-staff"


def browser_client(app: FastAPI, address: str = "198.51.100.7") -> httpx.AsyncClient:
    """A client that keeps cookies like a browser on https (the cookies are Secure)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="https://odvarsel.test",
    )


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


@dataclass(frozen=True)
class SignInSms:
    to_number: str
    body: str
    subject_kind: str
    member_id: uuid.UUID | None

    @property
    def path(self) -> str:
        match = SIGNIN_LINK.search(self.body)
        assert match, "no sign-in link in the SMS"
        return urlsplit(match.group(0)).path

    @property
    def token(self) -> str:
        return self.path.rsplit("/", 1)[1]


async def signin_sms(state: AppState) -> list[SignInSms]:
    """The sign-in SMS in the outbox, oldest first."""
    async with state.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT to_number, body, subject_kind, member_id FROM outbox_message "
                "WHERE subject_kind = 'staff_signin' ORDER BY created_at, id"
            )
        )
        return [
            SignInSms(
                to_number=row[0],
                body=row[1],
                subject_kind=row[2],
                member_id=uuid.UUID(str(row[3])) if row[3] is not None else None,
            )
            for row in rows
        ]


async def count_rows(state: AppState, table: str) -> int:
    async with state.engine.connect() as connection:
        result = await connection.execute(text(f"SELECT count(*) FROM {table}"))
        return int(result.scalar_one())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class SigningKey:
    kid: str
    alg: str
    private_pem: bytes
    public_pem: bytes

    @classmethod
    def rsa(cls, kid: str) -> SigningKey:
        key = rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
        return cls._of(kid, "RS256", key)

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        key = ec_keys.generate_private_key(ec_keys.SECP256R1())
        return cls._of(kid, "ES256", key)

    @classmethod
    def _of(
        cls, kid: str, alg: str, key: rsa_keys.RSAPrivateKey | ec_keys.EllipticCurvePrivateKey
    ) -> SigningKey:
        private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(kid=kid, alg=alg, private_pem=private_pem, public_pem=public_pem)

    def public_jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = jwk.construct(self.public_pem, self.alg).to_dict()
        return {**public, "kid": self.kid, "use": "sig", "alg": self.alg}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        headers = {"kid": kid if kid is not None else self.kid}
        return str(
            jwt.encode(claims, self.private_pem.decode(), algorithm=self.alg, headers=headers)
        )


def key_set(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


@dataclass
class Provider:
    """A local OIDC provider: its keys, and ID tokens for a member at the test clock."""

    key: SigningKey
    now: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def claims(self, *, phone_number: str | None, **overrides: Any) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-" + uuid.uuid4().hex[:8],
            "iat": int(self.now.timestamp()),
            "exp": int((self.now + timedelta(minutes=5)).timestamp()),
        }
        if phone_number is not None:
            claims["phone_number"] = phone_number
        claims.update(overrides)
        return claims

    def token(self, *, phone_number: str | None, **overrides: Any) -> str:
        return self.key.sign(self.claims(phone_number=phone_number, **overrides))


def unsigned_token(claims: dict[str, Any]) -> str:
    """`alg: none`: a header, the claims, and no signature."""
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "k1"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."
