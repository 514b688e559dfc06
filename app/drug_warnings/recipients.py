"""Who a drug warning goes to (pure): the kind of warning, the recipients a municipality keeps,
the suggested selection, and the dispatch list of the leader's choice.

Rules in docs/rules.md, "Who is warned". A municipality keeps two lists in its warning settings:
its **contacts** (services in the municipality, by SMS) and its **external recipients**
(outside the service, e.g. Oslo for Fredrikstad: an SMS number, an e-mail address or both).
Each recipient names the kinds of warning it is suggested for; a contact stored before the
kinds existed is suggested for every kind. When approving, the leader sees every recipient
with the suggestion ticked and picks who gets the warning; the choice is stored with the
warning. odvarsel has no e-mail channel: e-mail recipients are listed as "to be sent by
e-mail" in the dispatch list, for the leader to send.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class WarningKind(StrEnum):
    """What a warning is about; decides who is suggested."""

    CLUSTER = "cluster"
    """Several overdoses in a short time in one area (a cluster signal)."""
    SUBSTANCE = "substance"
    """A strong or impure substance in circulation (often from a concern report)."""
    OTHER = "other"
    """Anything else the leader warns about."""


ALL_KINDS: tuple[WarningKind, ...] = tuple(WarningKind)


class RecipientChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class Dispatch(StrEnum):
    """How a chosen recipient is reached."""

    SMS = "sms"
    """By the service's SMS (the outbox)."""
    BY_EMAIL = "to_be_sent_by_email"
    """odvarsel sends no e-mail: the leader sends it (docs/rules.md, "Who is warned")."""


def default_kind(*, from_signal: bool, from_report: bool) -> WarningKind:
    """The kind of a warning whose drafter named none: a cluster when drafted from a signal,
    a substance when drafted from a concern report only."""
    if from_signal:
        return WarningKind.CLUSTER
    if from_report:
        return WarningKind.SUBSTANCE
    return WarningKind.OTHER


@dataclass(frozen=True)
class Recipient:
    """One way of reaching one recipient: a contact's or an external's SMS number, or an
    external's e-mail address. `key` is what the leader's choice names."""

    key: str
    name: str
    channel: RecipientChannel
    address: str
    kinds: frozenset[WarningKind]
    external: bool
    municipality: str | None = None


def key_of(channel: RecipientChannel, address: str) -> str:
    return f"{channel.value}:{address}"


def _kinds(data: Mapping[str, Any]) -> frozenset[WarningKind]:
    kinds = data.get("kinds")
    if kinds is None:  # stored before issue 20: every kind
        return frozenset(ALL_KINDS)
    return frozenset(WarningKind(k) for k in kinds)


def recipients_of(
    contacts: Iterable[Mapping[str, Any]], external: Iterable[Mapping[str, Any]]
) -> list[Recipient]:
    """Every way the municipality's warnings can go, contacts first, in their order; an
    external with both a number and an address is two recipients."""
    listed = [
        Recipient(
            key=key_of(RecipientChannel.SMS, c["mobile"]),
            name=c["name"],
            channel=RecipientChannel.SMS,
            address=c["mobile"],
            kinds=_kinds(c),
            external=False,
        )
        for c in contacts
    ]
    for e in external:
        for channel, field in ((RecipientChannel.SMS, "mobile"), (RecipientChannel.EMAIL, "email")):
            if e.get(field):
                listed.append(
                    Recipient(
                        key=key_of(channel, e[field]),
                        name=e["name"],
                        channel=channel,
                        address=e[field],
                        kinds=_kinds(e),
                        external=True,
                        municipality=e.get("municipality"),
                    )
                )
    return listed


def suggested(recipients: Iterable[Recipient], kind: WarningKind) -> list[str]:
    """The keys suggested for a warning of `kind`: those whose kinds name it, in order."""
    return [r.key for r in recipients if kind in r.kinds]


def unknown(recipients: Sequence[Recipient], chosen: Sequence[str]) -> list[int]:
    """The positions in `chosen` of keys that are on neither list."""
    keys = {r.key for r in recipients}
    return [i for i, key in enumerate(chosen) if key not in keys]


def dispatch_list(
    recipients: Sequence[Recipient], chosen: Collection[str], suggestion: Collection[str]
) -> list[dict[str, Any]]:
    """What is stored with the warning: each chosen recipient (in the lists' order), how it is
    reached and whether it was suggested; then each suggested recipient left out."""
    rows = []
    for r in recipients:
        if r.key in chosen:
            dispatch = Dispatch.SMS if r.channel is RecipientChannel.SMS else Dispatch.BY_EMAIL
        elif r.key in suggestion:
            dispatch = None
        else:
            continue
        rows.append(
            {
                "key": r.key,
                "name": r.name,
                "channel": r.channel.value,
                "address": r.address,
                "external": r.external,
                "municipality": r.municipality,
                "suggested": r.key in suggestion,
                "chosen": r.key in chosen,
                "dispatch": dispatch.value if dispatch else None,
            }
        )
    return rows
