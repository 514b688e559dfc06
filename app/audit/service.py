"""Writing the access log, and the privacy officer's reading of it.

Every disclosure of personal data writes exactly one entry in the transaction that discloses,
so a disclosure that is not logged cannot commit. Listing entries by alert or actor shows no
personal data and is not itself logged; looking a person up by national id is.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import report, repository
from app.audit.enums import AccessBasis, ActorKind, Channel
from app.audit.models import AccessLogEntry
from app.audit.schemas import (
    AccessLogEntryOut,
    AccessLogPage,
    AccessReport,
    AccessReportEntry,
    AccessReportRequest,
    PersonLookup,
)
from app.consent.enums import DataCategory
from app.errors import Forbidden, NotFound, Unprocessable
from app.privacy.crypto import KeyedHasher

PERSON_LOOKUP_CATEGORIES = (DataCategory.IDENTITY,)
"""A person lookup links the person's identity to the alerts and disclosures listed."""


@dataclass(frozen=True)
class Discloser:
    """Who discloses, as the access log names them: the kind of actor, their id (a member's
    id, an API client's), and the channel the data left by."""

    kind: ActorKind
    id: str
    channel: Channel


class _AlertOnRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def municipality_code(self) -> str: ...
    @property
    def national_id_hash(self) -> str | None: ...


@dataclass(frozen=True)
class Subject:
    """Whose data was disclosed: the municipality that may audit the entry, the alert (None
    for a person lookup) and the person, as a keyed hash."""

    municipality_code: str
    alert_id: uuid.UUID | None
    national_id_hash: str | None

    @classmethod
    def of_alert(cls, alert: _AlertOnRecord) -> Subject:
        return cls(alert.municipality_code, alert.id, alert.national_id_hash)


def record_disclosure(
    session: AsyncSession,
    *,
    at: datetime,
    actor: Discloser,
    subject: Subject,
    categories: Iterable[DataCategory],
    basis: AccessBasis,
    reason: str,
) -> AccessLogEntry:
    """Add the entry for one disclosure (written when the caller's transaction commits)."""
    disclosed = sorted({DataCategory(c).value for c in categories})
    if not disclosed:
        raise ValueError("an entry records a disclosure: name the categories disclosed")
    entry = AccessLogEntry(
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        channel=actor.channel,
        **asdict(subject),  # a subject's fields are named as the entry's columns
        categories=disclosed,
        legal_basis=basis.value,
        reason=reason,
    )
    repository.add(session, entry)
    return entry


def _bound_municipalities(municipalities: Collection[str]) -> list[str]:
    codes = sorted(municipalities)
    if not codes:
        raise Forbidden("This client is not bound to any municipality.")
    return codes


def _audited(municipalities: Collection[str], named: str | None) -> str:
    """The one municipality whose records are searched: the one named, if the caller may
    audit it, or the caller's only one."""
    codes = _bound_municipalities(municipalities)
    if named is None:
        if len(codes) != 1:
            raise Unprocessable("This client is bound to several municipalities: name one.")
        return codes[0]
    if named not in codes:
        raise Forbidden(f"This client may not audit municipality {named}.")
    return named


def _page(entries: list[AccessLogEntry], limit: int) -> AccessLogPage:
    return AccessLogPage(
        entries=[AccessLogEntryOut.of(e) for e in entries],
        next_after=entries[-1].id if len(entries) == limit else None,
    )


async def list_entries(
    session: AsyncSession,
    *,
    municipalities: Collection[str],
    alert_id: uuid.UUID | None,
    actor_id: str | None,
    after: int | None,
    limit: int,
) -> AccessLogPage:
    """The entries about one alert or of one actor, in the client's municipalities."""
    if (alert_id is None) == (actor_id is None):
        raise Unprocessable("Give exactly one of alert_id and actor_id.")
    codes = _bound_municipalities(municipalities)
    if alert_id is not None:
        municipality = await repository.municipality_of_alert(session, alert_id)
        if municipality not in codes:
            # The same answer for an unknown alert and another municipality's: ids reveal
            # nothing.
            raise NotFound(f"No alert {alert_id} in this client's municipalities.")
        codes = [municipality]
    entries = await repository.entries(
        session,
        municipality_codes=codes,
        alert_id=alert_id,
        actor_id=actor_id,
        after=after,
        limit=limit,
    )
    return _page(entries, limit)


async def lookup_person(
    session: AsyncSession,
    *,
    client_id: str,
    municipalities: Collection[str],
    lookup: PersonLookup,
    now: datetime,
    hasher: KeyedHasher,
) -> AccessLogPage:
    """The disclosures of one person's data, found through the keyed hash; itself logged."""
    municipality = _audited(municipalities, lookup.municipality)
    # Under the current hash key and each retired one (docs/rules.md, "Key rotation").
    hashes = hasher.national_ids(lookup.national_id)
    national_id_hash = hashes[0]
    entries = await repository.entries(
        session,
        municipality_codes=[municipality],
        national_id_hashes=hashes,
        after=lookup.after,
        limit=lookup.limit,
    )
    # Logged whatever it finds: the search itself used the person's identity.
    record_disclosure(
        session,
        at=now,
        actor=Discloser(ActorKind.API_CLIENT, client_id, Channel.API),
        subject=Subject(municipality, None, national_id_hash),
        categories=PERSON_LOOKUP_CATEGORIES,
        basis=AccessBasis.INNSYN,
        reason=lookup.reason,
    )
    return _page(entries, lookup.limit)


async def access_report(
    session: AsyncSession,
    *,
    asker: Discloser,
    municipalities: Collection[str],
    request: AccessReportRequest,
    now: datetime,
    hasher: KeyedHasher,
) -> AccessReport:
    """Who saw the person's data in the municipality: the entries naming the person's hash
    (under the current hash key or a retired one) or about an alert of theirs. The search is
    itself an entry (the leader used the person's identity), written after those listed."""
    municipality = _audited(municipalities, request.municipality)
    hashes = hasher.national_ids(request.national_id)
    entries = await repository.entries_about_person(
        session, municipality_code=municipality, national_id_hashes=hashes
    )
    known = await _names(session, entries)
    record_disclosure(
        session,
        at=now,
        actor=asker,
        subject=Subject(municipality, None, hashes[0]),
        categories=PERSON_LOOKUP_CATEGORIES,
        basis=AccessBasis.INNSYN,
        reason=request.reason,
    )
    return AccessReport(
        municipality=municipality,
        made_at=now,
        right=report.RIGHT,
        entries=[_report_entry(e, known) for e in entries],
    )


async def _names(
    session: AsyncSession, entries: Iterable[AccessLogEntry]
) -> dict[str, tuple[str, str]]:
    """(name, role) of the members and clients in `entries`, by the id the log names."""
    member_ids, client_ids = set(), set()
    for entry in entries:
        if entry.actor_kind == ActorKind.STAFF:
            try:
                member_ids.add(uuid.UUID(entry.actor_id))
            except ValueError:  # a manual decision names its decider instead
                continue
        elif entry.actor_kind == ActorKind.API_CLIENT:
            client_ids.add(entry.actor_id)
    known = await repository.members(session, member_ids)
    clients = await repository.client_names(session, client_ids)
    known.update({cid: (name, report.CLIENT_ROLE) for cid, name in clients.items()})
    return known


def _report_entry(entry: AccessLogEntry, known: dict[str, tuple[str, str]]) -> AccessReportEntry:
    kind = ActorKind(entry.actor_kind)
    name, role = report.actor_name(kind, entry.actor_id, known)
    basis = AccessBasis(entry.legal_basis)
    return AccessReportEntry(
        at=entry.at,
        actor_kind=kind,
        name=name,
        role=role,
        categories=[DataCategory(c) for c in entry.categories],
        legal_basis=basis,
        legal_basis_text=report.BASIS_LAW[basis],
        reason=entry.reason,
        channel=Channel(entry.channel),
        alert_id=entry.alert_id,
    )
