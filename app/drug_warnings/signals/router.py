"""The API of cluster signals, for the leader: list them, dismiss one."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.queries import Limit, MunicipalityQuery, Offset
from app.deps import TxSession
from app.drug_warnings.api import (
    CONFLICT,
    NOT_FOUND,
    PROBLEMS,
    TAG,
    Leader,
    LeaderCall,
    page_of,
)
from app.drug_warnings.signals import service as signals
from app.drug_warnings.signals.models import SignalStatus
from app.drug_warnings.signals.schemas import DismissalIn, SignalOut

router = APIRouter(prefix="/v1", tags=[TAG])


@router.get(
    "/cluster-signals",
    summary="List cluster signals",
    description="Clusters of overdoses (by default 3 within 6 hours in the municipality; see "
    "the admin API's cluster rules), most recently grown first. A signal grows as alerts "
    "join its cluster; a dismissed signal opens again when it grows. Anonymous alerts count.",
    responses={**PROBLEMS, **NOT_FOUND},
)
async def list_cluster_signals(
    session: TxSession,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    signal_status: Annotated[
        SignalStatus | None, Query(alias="status", description="Only signals in this state")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[SignalOut]:
    page = page_of(municipality, acting, offset=offset, limit=limit)
    return await signals.list_signals(session, page, status=signal_status)


@router.post(
    "/cluster-signals/{signal_id}/dismiss",
    summary="Dismiss a cluster signal",
    description="The leader decided that no warning is needed, and why.",
    responses={**PROBLEMS, **NOT_FOUND, **CONFLICT},
)
async def dismiss_cluster_signal(
    signal_id: uuid.UUID, dismissal: DismissalIn, caller: LeaderCall
) -> SignalOut:
    dismissal = dismissal.model_copy(update={"by": caller.acting(dismissal.by)})
    return await signals.dismiss_signal(caller.scope, signal_id=signal_id, dismissal=dismissal)
