"""Who acts on a follow-up case: a municipality's case system, or a signed-in staff member.

Every service that reads or changes a case takes a `CaseScope`: the caller's transaction, the
`Actor`, the time and the cipher. What the actor may do is decided per case (`changes`), from
the municipalities it acts for and whether it acts as the leader.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.municipalities import ActingFor
from app.auth.staff.acting import ActingParty
from app.auth.staff.identity import StaffIdentity
from app.auth.staff.rules import StaffView
from app.errors import FieldProblem, InvalidFields
from app.privacy.crypto import FieldCipher

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
    signed_in: bool = False
    """A staff member acting as themselves (their session), not named by a case system."""
    view: StaffView | None = None
    """A signed-in staff member's access (`access`); None for a case system, which holds
    `alerts:details` and sees all of a case."""

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
    def staff(cls, staff: StaffIdentity) -> Actor:
        """A signed-in staff member: their own municipality only; whether they lead is read
        from their team (`changes`)."""
        return cls(
            label=f"{staff.name} ({staff.role})",
            municipalities=frozenset({staff.municipality_code}),
            member_id=staff.member_id,
            signed_in=True,
            view=staff.view,
        )

    @classmethod
    def of(cls, party: ActingParty, *, by_member_id: uuid.UUID | None = None) -> Actor:
        """The actor of an API call; `by_member_id` (a request's) is for case systems only:
        a staff member acts as themselves (422 naming the field otherwise)."""
        if party.staff is None:
            assert party.client_id is not None  # one or the other, by `acting_party`
            return cls.case_system(
                client_id=party.client_id,
                municipalities=party.municipalities,
                member_id=by_member_id,
            )
        if by_member_id is not None and by_member_id != party.staff.member_id:
            raise InvalidFields(
                [
                    FieldProblem(
                        field="by_member_id",
                        reason="a signed-in staff member acts as themselves: leave it out",
                    )
                ]
            )
        return cls.staff(party.staff)


@dataclass(frozen=True, slots=True)
class CaseScope:
    """What reading or changing a case acts with: the caller's transaction, who acts, the
    time, and the cipher that seals a note (and opens one for a reader with details access)."""

    session: AsyncSession
    actor: Actor
    now: datetime
    cipher: FieldCipher
