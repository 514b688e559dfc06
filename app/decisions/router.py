"""Manual disclosures and inform duties of an alert, for a municipality's case system acting
for the team leader: the same scope and municipality check as the alert's details."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.api.responses import Responses, problem
from app.auth.deps import CaseSystem, ClientMunicipalities
from app.decisions import service
from app.decisions.schemas import (
    InformDutyOut,
    InformRecordIn,
    ManualDisclosureIn,
    ManualDisclosureOut,
)
from app.deps import ClockDep, TxSession

router = APIRouter(prefix="/v1/alerts")


_problems: Responses = {
    **problem(401, "No valid access token"),
    **problem(403, "The token lacks the `alerts:details` scope"),
    **problem(404, "No such alert in the client's municipalities"),
}


async def _case_system_call(
    session: TxSession,
    clock: ClockDep,
    client: CaseSystem,
    municipalities: ClientMunicipalities,
) -> service.CaseSystemCall:
    return service.CaseSystemCall(session, client.client_id, municipalities, clock.now())


Call = Annotated[service.CaseSystemCall, Depends(_case_system_call)]


@router.post(
    "/{alert_id}/manual-disclosures",
    status_code=status.HTTP_201_CREATED,
    tags=["manual disclosures"],
    summary="Record a manual disclosure (police, child welfare, relatives, pregnancy)",
    description="Records a disclosure the consent rules never make: a person decided to tell "
    "the police (hpl § 31 or § 23 nr. 4), barnevernet (hpl § 33), the nearest relative "
    "(pbrl § 3-3 while the person cannot consent, or hpl § 23 nr. 1 for facts already known) "
    "or the municipal health and care service about a pregnancy (hpl § 32). In one "
    "transaction it stores the decision, writes one access-log entry (actor "
    "`manual:<decided_by.name>`, the basis, the categories, the reason) and opens the duty "
    "to tell the person what was shared (pbrl § 3-6), answered by `informed_by` or "
    "`not_informed_reason`. The service shares nothing itself. On an alert whose consent "
    "state is `objected` the service holds no identity: the decision is still recorded "
    "(e.g. a missing-person report), and its access-log entry is found by the alert, not by "
    "the person's national id.",
    responses={
        **_problems,
        **problem(
            422,
            "A basis the law does not give for this recipient, a missing attestation, a "
            "national id in the text, or not exactly one of `informed_by` and "
            "`not_informed_reason`; `errors` names each field and the reason.",
        ),
    },
)
async def create_manual_disclosure(
    alert_id: uuid.UUID,
    decision_in: ManualDisclosureIn,
    call: Call,
) -> ManualDisclosureOut:
    return await service.record_decision(call, alert_id=alert_id, decision_in=decision_in)


@router.get(
    "/{alert_id}/manual-disclosures",
    tags=["manual disclosures"],
    summary="List the alert's manual disclosures",
    description="Oldest first, each with the inform duty it opened. Holds no personal data "
    "of the person beyond the deciders' reasons, so this read is not itself logged.",
    responses=_problems,
)
async def list_manual_disclosures(alert_id: uuid.UUID, call: Call) -> list[ManualDisclosureOut]:
    return await service.decisions_of(call, alert_id=alert_id)


@router.get(
    "/{alert_id}/inform-duties",
    tags=["inform duties"],
    summary="List the duties to tell the person what was shared",
    description="One per disclosure without consent (pbrl § 3-6): opened at intake when AMK "
    "disclosed to the team without consent, and by each manual disclosure. `recorded` is "
    "false until someone records who informs the person, or why not.",
    responses=_problems,
)
async def list_inform_duties(alert_id: uuid.UUID, call: Call) -> list[InformDutyOut]:
    return await service.inform_duties(call, alert_id=alert_id)


@router.put(
    "/{alert_id}/inform-duties/{duty_id}",
    tags=["inform duties"],
    summary="Record who tells the person what was shared, or why not",
    description="Exactly one of `informed_by` and `not_informed_reason` (pbrl § 3-6: «så "
    "langt forholdene tilsier det»). Replaces an earlier record: someone unreachable "
    "yesterday may be told today.",
    responses={
        401: _problems[401],
        403: _problems[403],
        **problem(
            404, "No such alert in the client's municipalities, or no such duty of this alert"
        ),
        **problem(
            422,
            "Not exactly one of `informed_by` and `not_informed_reason`, or a national id in the "
            "text",
        ),
    },
)
async def record_inform_duty(
    alert_id: uuid.UUID,
    duty_id: uuid.UUID,
    record_in: InformRecordIn,
    call: Call,
) -> InformDutyOut:
    return await service.record_inform_duty(
        call, alert_id=alert_id, duty_id=duty_id, record_in=record_in
    )
