"""What an apply did (or, in a dry run, would do): one line per change, notes, new secrets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import AdminScope
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.errors import DomainError

ADDED, CHANGED, REMOVED = "+", "~", "-"


@dataclass
class Report:
    changes: list[str] = field(default_factory=list)
    """`+ added`, `~ changed: what`, `- deactivated` (or deleted, for a rotation)."""
    notes: list[str] = field(default_factory=list)
    """What the file leaves as it is and the operator should know (no change)."""
    secrets: list[tuple[str, str]] = field(default_factory=list)
    """(client id, secret) of each client made: printed once, never stored."""

    def change(self, sign: str, what: str) -> None:
        self.changes.append(f"{sign} {what}")

    def note(self, what: str) -> None:
        self.notes.append(f"! {what}")


class ApplyFailed(Exception):
    """A service refused part of the file: nothing is applied. `where` is the file's path."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


@dataclass(frozen=True)
class Applying:
    """One apply: the transaction, the time, the municipality, and whether to prune."""

    session: AsyncSession
    now: datetime
    code: str
    prune: bool
    report: Report

    @property
    def admin(self) -> AdminScope:
        """The operator acts for every municipality, as the CLI's other commands do."""
        return AdminScope(self.session, EVERY_MUNICIPALITY, self.now)


class Refusal:
    """`async with Refusal("teams[0]")`: a DomainError inside becomes ApplyFailed there."""

    def __init__(self, where: str) -> None:
        self.where = where

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: Any, error: BaseException | None, _tb: Any) -> None:
        if isinstance(error, DomainError):
            raise ApplyFailed(self.where, error.detail) from error


VOLATILE = frozenset({"updated_at", "created_at", "id"})
"""Keys of an answer that a store renews without a change of content."""


def comparable(answer: BaseModel) -> dict[str, Any]:
    """An answer's content, to tell whether a store changed anything."""
    return dict(_without_volatile(answer.model_dump(mode="json")))


def _without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def differing(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level keys whose values differ."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def ids_text(ids: list[uuid.UUID]) -> str:
    return ",".join(str(i) for i in ids)
