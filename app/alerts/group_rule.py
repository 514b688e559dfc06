"""The group rule's counting for objected alerts: how many alerts of the municipality in the
year share a value, read here and handed to the pure rule in :mod:`app.alerts.anonymity`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import anonymity, repository, sealing
from app.alerts.minimise import Minimised
from app.consent.enums import DataCategory
from app.errors import FieldProblem
from app.privacy.crypto import FieldCipher

REFUSED_BY_GROUP_RULE = (
    "the person objected, and fewer than "
    f"{anonymity.MIN_GROUP} alerts of the municipality in the last year share this value, "
    "so it could single them out; not stored"
)


async def anonymous_kept(
    session: AsyncSession,
    cipher: FieldCipher,
    kept: Minimised,
    *,
    municipality_code: str,
    now: datetime,
) -> Minimised:
    """An objected alert's values under the group rule (`app.alerts.anonymity`): the outcome
    and the age band, each kept only where at least five alerts of the municipality in the
    year share it; the counts are read here and handed to the pure rule."""
    counts = await anonymity_counts(
        session, cipher, kept.personal, municipality_code=municipality_code, now=now
    )
    personal = anonymity.anonymous_values(kept.personal, counts)
    refused = [
        FieldProblem(field=path, reason=REFUSED_BY_GROUP_RULE)
        for path in sorted(kept.personal)
        if path not in personal
    ]
    return replace(kept, personal=personal, dropped=[*kept.dropped, *refused])


async def anonymity_counts(
    session: AsyncSession,
    cipher: FieldCipher,
    personal: Mapping[str, Any],
    *,
    municipality_code: str,
    now: datetime,
    excluding: uuid.UUID | None = None,
) -> dict[str, int]:
    """Path -> how many other alerts of the municipality (not `excluding`, the alert itself
    when it is stored already) received in the window share this alert's value, for each
    anonymous field it has."""
    since = now - anonymity.WINDOW
    counts: dict[str, int] = {}
    band = personal.get(anonymity.AGE_BAND_FIELD)
    if band is not None:
        counts[anonymity.AGE_BAND_FIELD] = await repository.count_with_age_band(
            session,
            municipality_code=municipality_code,
            since=since,
            age_band=band,
            excluding=excluding,
        )
    outcome = personal.get(anonymity.OUTCOME_FIELD)
    if outcome is not None:
        # The outcome is sealed with the acute risk: opened to be counted, shown to nobody.
        tokens = await repository.acute_risk_tokens(
            session, municipality_code=municipality_code, since=since, excluding=excluding
        )
        counts[anonymity.OUTCOME_FIELD] = sum(
            json.loads(
                cipher.open(token, context=sealing.context_of(alert_id, DataCategory.ACUTE_RISK))
            ).get(anonymity.OUTCOME_FIELD)
            == outcome
            for alert_id, token in tokens
        )
    return counts
