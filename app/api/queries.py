"""Query parameters the list routes share: whose records, and which page of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.norway.types import MUNICIPALITY_CODE_PATTERN

MunicipalityQuery = Annotated[
    str | None,
    Query(pattern=MUNICIPALITY_CODE_PATTERN, description="One of the client's municipalities"),
]
"""Whose records to list; left out: every municipality the caller acts for."""

Offset = Annotated[int, Query(ge=0, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=200)]
