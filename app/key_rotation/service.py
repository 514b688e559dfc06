"""Re-sealing every token under the active key, and re-hashing the national-id hashes.

Each batch is a transaction of its own, so a crash loses at most one batch and a second run
picks up where the first stopped (it only reads tokens not yet under the active key, and
re-hashing a hash already under the current key changes nothing). An update names the value
it replaces: a service that wrote the row meanwhile (always under the active key) wins.

A token that does not open is reported by table, column and row key, never shown, and left
as it is: the run then ends with a failure for the operator to look at.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.alerts import sealing
from app.consent.enums import DataCategory
from app.key_rotation import repository
from app.key_rotation.registry import SEALED, SealedColumn
from app.privacy.crypto import DecryptionError, FieldCipher, KeyedHasher

Progress = Callable[[int], None]
"""Told how many rows a finished (committed) batch handled."""


@dataclass(frozen=True)
class Unreadable:
    """A token that did not open: where it is, never what it holds."""

    column: str
    row: str


@dataclass
class Outcome:
    """What a run did, per column (`table.column`): values re-sealed or re-hashed (`done`),
    left because a service wrote them meanwhile, and those that did not open."""

    done: Counter[str] = field(default_factory=Counter)
    changed_meanwhile: Counter[str] = field(default_factory=Counter)
    unreadable: list[Unreadable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.unreadable)


def _row_key(sealed_keys: Sequence[str], row: Any) -> str:
    return ",".join(f"{k}={row[k]}" for k in sealed_keys)


async def pending(sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher) -> int:
    """How many tokens are not under the active key (the progress bar's length)."""
    prefix = cipher.active_prefix
    async with sessions() as session:
        return sum([await repository.count_not_under(session, s, prefix) for s in SEALED])


async def reseal_all(
    sessions: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    *,
    batch_size: int,
    progress: Progress = lambda _n: None,
) -> Outcome:
    """Re-seal every token not under the active key, column by column, in batches."""
    outcome = Outcome()
    prefix = cipher.active_prefix
    for sealed in SEALED:
        cursor: tuple[Any, ...] | None = None
        while True:
            async with sessions() as session, session.begin():
                rows = await repository.tokens_not_under(
                    session, sealed, prefix, after=cursor, limit=batch_size
                )
                for row in rows:
                    await _reseal_row(session, cipher, sealed, row, outcome)
            if not rows:
                break
            cursor = tuple(rows[-1][k] for k in sealed.keys)
            progress(len(rows))
    return outcome


async def _reseal_row(
    session: AsyncSession, cipher: FieldCipher, sealed: SealedColumn, row: Any, outcome: Outcome
) -> None:
    try:
        new = cipher.reseal(row["token"], context=sealed.context(row))
    except DecryptionError:
        outcome.unreadable.append(Unreadable(sealed.name, _row_key(sealed.keys, row)))
        return
    if await repository.replace_token(session, sealed, row, new):
        outcome.done[sealed.name] += 1
    else:
        outcome.changed_meanwhile[sealed.name] += 1


async def count_alerts(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await repository.count_alerts(session)


async def rehash_all(
    sessions: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    hasher: KeyedHasher,
    *,
    batch_size: int,
    progress: Progress = lambda _n: None,
) -> Outcome:
    """Re-hash each alert's national-id and dispatch-incident hashes under the current hash
    key, from the values sealed in the alert, and the copies of the national-id hash
    (`repository.person_key_copies`) with it. A hash whose value is no longer kept (the
    identity was purged, an objected alert's incident id) stays as it is."""
    outcome = Outcome()
    cursor: Any | None = None
    while True:
        async with sessions() as session, session.begin():
            rows = await repository.alerts_with_hashes(session, after=cursor, limit=batch_size)
            for row in rows:
                await _rehash_alert(session, cipher, hasher, row, outcome)
        if not rows:
            break
        cursor = rows[-1]["id"]
        progress(len(rows))
    async with sessions() as session:
        for copy, unmapped in (await repository.count_unmapped_copies(session)).items():
            if unmapped:
                outcome.notes.append(
                    f"{copy}: {unmapped} rows keep a hash no alert has now (their alert's "
                    "identity is gone): they stay under the old key"
                )
        logged = await repository.count_access_log_hashes(session)
    if logged:
        outcome.notes.append(
            f"access_log_entry.national_id_hash: {logged} entries, never rewritten (the log "
            "is append-only); those written before the rotation are found under "
            "CRYPTO__RETIRED_HASH_KEYS"
        )
    return outcome


async def _rehash_alert(
    session: AsyncSession, cipher: FieldCipher, hasher: KeyedHasher, row: Any, outcome: Outcome
) -> None:
    alert_id = row["id"]
    name = "alert.national_id_hash"
    try:
        national_id = _national_id(cipher, row)
    except DecryptionError:
        outcome.unreadable.append(Unreadable("alert.identity_sealed", f"id={alert_id}"))
    else:
        old = row["national_id_hash"]
        if national_id is None or old is None:
            # Only a hash that is there is re-hashed: an alert keeps none where its consent
            # keeps no identity; one whose national id is gone keeps its old hash.
            if old is not None:
                outcome.notes.append(f"{name}: alert {alert_id} has a hash but no national id")
        elif (new := hasher.national_id(national_id)) != old:
            if await repository.set_alert_hash(
                session, alert_id=alert_id, column="national_id_hash", old=old, new=new
            ):
                outcome.done[name] += 1
                outcome.done.update(await repository.map_copies(session, old=old, new=new))
            else:
                outcome.changed_meanwhile[name] += 1
    await _rehash_incident(session, cipher, hasher, row, outcome)


async def _rehash_incident(
    session: AsyncSession, cipher: FieldCipher, hasher: KeyedHasher, row: Any, outcome: Outcome
) -> None:
    token = row["dispatch_incident_sealed"]
    if token is None:
        return
    alert_id = row["id"]
    try:
        incident = cipher.open(
            token, context=sealing.context_of(alert_id, sealing.INCIDENT_CONTEXT)
        )
    except DecryptionError:
        outcome.unreadable.append(Unreadable("alert.dispatch_incident_sealed", f"id={alert_id}"))
        return
    old, new = row["dispatch_incident_hash"], hasher.dispatch_incident(incident)
    if new == old:
        return
    name = "alert.dispatch_incident_hash"
    if await repository.set_alert_hash(
        session, alert_id=alert_id, column="dispatch_incident_hash", old=old, new=new
    ):
        outcome.done[name] += 1
    else:
        outcome.changed_meanwhile[name] += 1


def _national_id(cipher: FieldCipher, row: Any) -> str | None:
    token = row["identity_sealed"]
    if token is None:
        return None
    identity = json.loads(
        cipher.open(token, context=sealing.context_of(row["id"], DataCategory.IDENTITY))
    )
    value = identity.get("person.national_id")
    return value if isinstance(value, str) else None
