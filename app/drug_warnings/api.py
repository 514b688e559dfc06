"""What the routers of drug warnings share: who acts (a partner filing a concern report, the
leader acting on signals and warnings) and what a route acts with (`Caller`), the documented
problems, and the list parameters.

The leader is a municipality's case system acting for the leader (`alerts:details`, the
client's municipalities, `by` names the person) or the team leader signed in (a staff
session token; `by` is the leader).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Security

from app.api.responses import Responses, problem
from app.auth.scopes import Scope
from app.auth.staff.acting import ActingParty, acting_party
from app.deps import ClockDep, StateDep, TxSession
from app.drug_warnings.common import Filer, WarningScope
from app.drug_warnings.repository import Page
from app.drug_warnings.schemas import ActingStaff
from app.errors import Forbidden, NotFound

TAG = "drug warnings"

Reporter = Annotated[ActingParty, Security(acting_party, scopes=[Scope.CONCERNS_WRITE])]
"""A partner (`concerns:write`) or any signed-in staff member: files concern reports."""
CaseSystemOrStaff = Annotated[ActingParty, Security(acting_party, scopes=[Scope.ALERTS_DETAILS])]


async def leader(acting: CaseSystemOrStaff) -> ActingParty:
    """The case system acting for the leader, or a signed-in team leader; 403 for another
    signed-in member."""
    if acting.staff is not None and not acting.staff.is_leader:
        raise Forbidden("Only the team's leader acts on signals and warnings.")
    return acting


Leader = Annotated[ActingParty, Depends(leader)]


@dataclass(frozen=True, slots=True)
class Caller:
    """What a route acts with: the scope its service takes, and the party calling."""

    scope: WarningScope
    party: ActingParty

    def acting(self, sent: ActingStaff | None) -> ActingStaff | None:
        """Who acts: the signed-in leader (replacing a `by` sent), or the case system's `by`."""
        return acting_staff(self.party, sent)

    @property
    def filer(self) -> Filer:
        return filer_of(self.party)


def _caller(session: TxSession, clock: ClockDep, state: StateDep, party: ActingParty) -> Caller:
    scope = WarningScope(session, party.municipalities, clock.now(), state.cipher)
    return Caller(scope, party)


async def leader_call(
    session: TxSession, clock: ClockDep, state: StateDep, acting: Leader
) -> Caller:
    return _caller(session, clock, state, acting)


async def reporter_call(
    session: TxSession, clock: ClockDep, state: StateDep, acting: Reporter
) -> Caller:
    return _caller(session, clock, state, acting)


LeaderCall = Annotated[Caller, Depends(leader_call)]
"""The leader's: acting on signals and warnings."""
ReporterCall = Annotated[Caller, Depends(reporter_call)]
"""A partner's or any signed-in staff member's: filing a concern report."""

PROBLEMS: Responses = {
    **problem(401, "No valid access token or staff session"),
    **problem(
        403,
        "The token lacks the scope, or a signed-in member who is not a team's leader acts on "
        "signals or warnings",
    ),
}
NOT_FOUND = problem(404, "Not in the client's municipalities")
CONFLICT = problem(409, "Not in a state that allows it")
TEXT_REFUSED = problem(
    422,
    "`errors` names each field refused: a text with a national id, a phone number or a name "
    "from an alert of the cluster, or of the municipality around the concern report (`text`), "
    "an SMS longer than two segments, another municipality, an unknown signal or concern "
    "report.",
)


def acting_staff(acting: ActingParty, sent: ActingStaff | None) -> ActingStaff | None:
    """Who acts: the signed-in leader (replacing a `by` sent), or the case system's `by`."""
    staff = acting.staff
    return sent if staff is None else ActingStaff(name=staff.name, role=staff.role)


def filer_of(acting: ActingParty) -> Filer:
    """Who files or drafts: the signed-in member, or the API client."""
    if acting.staff is not None:
        return Filer(member_id=acting.staff.member_id)
    return Filer(client_id=acting.client_id)


def page_of(municipality: str | None, acting: ActingParty, *, offset: int, limit: int) -> Page:
    """The page a list answers: of the municipality asked for (404 unless the client's), or of
    all the client's."""
    municipalities = acting.municipalities
    if municipality is not None and municipality not in municipalities:
        raise NotFound(f"No municipality {municipality} for this client.")
    codes = [municipality] if municipality is not None else sorted(municipalities)
    return Page(codes, offset=offset, limit=limit)
