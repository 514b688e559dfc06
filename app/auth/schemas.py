"""API models of the token endpoint."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str
    token_type: str = Field(default="Bearer", examples=["Bearer"])
    expires_in: int = Field(description="Seconds until the token expires.", examples=[3600])
    scope: str = Field(examples=["alerts:write alerts:read"])


class ClientOut(BaseModel):
    """An API client as administrators see it; the secret is never shown, not even hashed."""

    id: str = Field(examples=["client-5f2a9c81d3e4"])
    name: str = Field(examples=["AMK Øst"])
    scopes: list[str] = Field(examples=[["alerts:read", "alerts:write"]])
    municipalities: list[str] = Field(examples=[["3107"]])
    active: bool
    created_at: datetime


class ClientSecretOut(BaseModel):
    """The new secret, shown this once: only its hash is kept. Tokens issued before are
    refused from now on."""

    client_id: str = Field(examples=["client-5f2a9c81d3e4"])
    client_secret: str
