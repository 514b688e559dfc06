"""Who acts on a follow-up case: a municipality's case system today, staff signed in later.

Every service that changes a case takes an explicit `Actor`; what it may do is decided per
case (`changes`), from the municipalities it acts for and whether it acts as the leader.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.auth.municipalities import ActingFor

SYSTEM = "odvarsel"
"""Who records what the service does by itself."""


@dataclass(frozen=True)
class Actor:
    """Who acts on a case: the municipalities they act for, and the label recorded."""

    label: str
    municipalities: ActingFor
    member_id: uuid.UUID | None = None
    """The staff member acting (checked to be of the case's team)."""
    acts_for_leader: bool = False
    """A municipality's case system, acting for the team's leader."""

    @classmethod
    def case_system(
        cls, *, client_id: str, municipalities: ActingFor, member_id: uuid.UUID | None = None
    ) -> Actor:
        """A case system (scope `alerts:details`) acting for the leader, or for `member_id`."""
        return cls(
            label=f"saksystem {client_id}",
            municipalities=municipalities,
            member_id=member_id,
            acts_for_leader=member_id is None,
        )

    @classmethod
    def staff(cls, *, name: str, role: str, municipality: str, member_id: uuid.UUID) -> Actor:
        """A staff member signed in to the pages: their own municipality only; whether they
        lead is read from their team (`changes`)."""
        return cls(
            label=f"{name} ({role})",
            municipalities=frozenset({municipality}),
            member_id=member_id,
        )
