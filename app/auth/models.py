"""API client tables: a dispatch system's credentials and the municipalities it reports for."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=200, description="argon2id hash; the secret is never kept")
    scopes: str = Field(max_length=500, description="Space-separated scopes the client may ask for")
    active: bool = True
    secret_version: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="Raised when the secret is rotated or the client deactivated; tokens carry "
        "the version they were issued under, and an older one is refused",
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class ApiClientMunicipality(SQLModel, table=True):
    __tablename__ = "api_client_municipality"

    client_id: str = Field(foreign_key="api_client.id", primary_key=True, max_length=64)
    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
