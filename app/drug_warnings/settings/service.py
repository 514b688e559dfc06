"""A municipality's warning settings (admin API): who its warnings reach, and its cluster rules.

* The **contact list** (by SMS) and the **external recipients** (outside the service, by SMS
  or e-mail) are who the leader chooses from when approving a warning, with a suggestion by
  the kind of warning (`app.drug_warnings.recipients`); the **neighbours** (municipalities
  odvarsel serves) receive it in their leader's list of incoming warnings.
* The **cluster rules** say what `signals.service.check_clusters` looks for. A municipality that has
  set none detects by `clusters.DEFAULT_RULES` (3 within 6 hours); an empty list turns
  detection off.
* The **districts** (bydeler) come with the cluster rules, in the same document: named
  polygons the municipality draws, the areas of its `district` rules (`clusters.District`).
  Names are unique ignoring case; a `district` rule needs at least one district. Setting the
  rules without `districts` removes them (the document is replaced whole).

Changing either never changes what was sent or raised before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.drug_warnings import repository as served_repository
from app.drug_warnings.clusters import DEFAULT_RULES, AreaKind, ClusterRule, District
from app.drug_warnings.common import refuse
from app.drug_warnings.settings import repository
from app.drug_warnings.settings.models import WarningSettingsRow
from app.drug_warnings.settings.schemas import (
    ClusterRuleIn,
    ClusterRules,
    ClusterRulesDoc,
    DistrictIn,
    ExternalRecipient,
    WarningContact,
    WarningContacts,
)
from app.errors import FieldProblem, InvalidFields


async def contacts_of(session: AsyncSession, municipality_code: str) -> WarningContacts:
    """Who the municipality's warnings reach (nobody, where it has set none)."""
    row = await repository.get_settings(session, municipality_code=municipality_code)
    if row is None:
        return WarningContacts(contacts=[], neighbours=[])
    return _contacts_doc(row)


async def set_contacts(
    session: AsyncSession, municipality_code: str, contacts: WarningContacts, *, now: datetime
) -> WarningContacts:
    """Replace the contact list and the neighbours; warnings sent before are not changed."""
    served = await served_repository.served(session, contacts.neighbours)
    problems = [
        FieldProblem(
            field=f"neighbours.{i}",
            reason="the municipality itself"
            if code == municipality_code
            else "not served by odvarsel: add its contact to `contacts` instead",
        )
        for i, code in enumerate(contacts.neighbours)
        if code == municipality_code or code not in served
    ]
    problems += _address_problems(contacts)
    if problems:
        raise InvalidFields(problems)
    row = await _settings_row(session, municipality_code, now)
    row.contacts = [c.model_dump(mode="json") for c in contacts.contacts]
    row.neighbours = list(contacts.neighbours)
    row.external = [e.model_dump(mode="json") for e in contacts.external]
    row.updated_at = now
    repository.save_settings(session, row)
    return _contacts_doc(row)


ONCE = "each %s only once, across the contacts and external recipients"


_ONCE = {"mobile": "each mobile number only once", "email": "each e-mail address only once"}
"""Why an external recipient's number or address is refused when given before."""


def _address_problems(contacts: WarningContacts) -> list[FieldProblem]:
    """An external recipient's number that is a contact's or another's, or an address twice:
    each number and address once, so the leader's choice names one recipient."""
    problems = []
    seen = {"mobile": {c.mobile for c in contacts.contacts}, "email": set[str]()}
    for i, recipient in enumerate(contacts.external):
        for field, address in (("mobile", recipient.mobile), ("email", recipient.email)):
            if address is None:
                continue
            if address in seen[field]:
                problems.append(FieldProblem(field=f"external.{i}.{field}", reason=_ONCE[field]))
            seen[field].add(address)
    return problems


async def rules_doc(session: AsyncSession, municipality_code: str) -> ClusterRulesDoc:
    """The cluster rules and districts (`configured: false` for the default rules)."""
    row = await repository.get_settings(session, municipality_code=municipality_code)
    configured = row is not None and row.cluster_rules is not None
    return ClusterRulesDoc(
        rules=[_rule_in(rule) for rule in _rules_of(row)],
        districts=[DistrictIn.model_validate(d) for d in row.districts] if row else [],
        configured=configured,
    )


async def set_rules(
    session: AsyncSession, municipality_code: str, rules: ClusterRules, *, now: datetime
) -> ClusterRulesDoc:
    """Replace the cluster rules and the districts; signals raised before stay as they are."""
    keys = [_rule_of(rule.model_dump()).key for rule in rules.rules]
    if len(set(keys)) != len(keys):
        raise refuse("rules", "each rule only once")
    problems = _district_problems(rules)
    if problems:
        raise InvalidFields(problems)
    row = await _settings_row(session, municipality_code, now)
    row.cluster_rules = [rule.model_dump(mode="json") for rule in rules.rules]
    row.districts = [district.model_dump(mode="json") for district in rules.districts]
    row.updated_at = now
    repository.save_settings(session, row)
    return ClusterRulesDoc(rules=rules.rules, districts=rules.districts, configured=True)


def _district_problems(rules: ClusterRules) -> list[FieldProblem]:
    """Districts named twice (ignoring case); district rules without any district."""
    problems = []
    seen: set[str] = set()
    for i, district in enumerate(rules.districts):
        name = district.name.casefold()
        if name in seen:
            problems.append(
                FieldProblem(field=f"districts.{i}.name", reason="each district name only once")
            )
        seen.add(name)
    if not rules.districts:
        problems += [
            FieldProblem(
                field=f"rules.{i}.area", reason="a district rule needs at least one district"
            )
            for i, rule in enumerate(rules.rules)
            if rule.area is AreaKind.DISTRICT
        ]
    return problems


async def rules_for(session: AsyncSession, *, municipality_code: str) -> tuple[ClusterRule, ...]:
    """The rules the municipality's clusters are detected by (the default without its own)."""
    return _rules_of(await repository.get_settings(session, municipality_code=municipality_code))


def _rules_of(row: WarningSettingsRow | None) -> tuple[ClusterRule, ...]:
    if row is None or row.cluster_rules is None:
        return DEFAULT_RULES
    return tuple(_rule_of(rule) for rule in row.cluster_rules)


async def districts_for(session: AsyncSession, *, municipality_code: str) -> tuple[District, ...]:
    """The municipality's districts, in its order (none without its own)."""
    row = await repository.get_settings(session, municipality_code=municipality_code)
    if row is None:
        return ()
    return tuple(
        District(
            name=str(d["name"]),
            boundary=tuple((float(lat), float(lon)) for lat, lon in d["boundary"]),
        )
        for d in row.districts
    )


async def _settings_row(session: AsyncSession, code: str, now: datetime) -> WarningSettingsRow:
    row = await repository.get_settings(session, municipality_code=code)
    return row or WarningSettingsRow(municipality_code=code, updated_at=now)


def _contacts_doc(row: WarningSettingsRow) -> WarningContacts:
    return WarningContacts(
        contacts=[WarningContact.model_validate(c) for c in row.contacts],
        neighbours=list(row.neighbours),
        external=[ExternalRecipient.model_validate(e) for e in row.external],
    )


def _rule_of(data: dict[str, Any]) -> ClusterRule:
    return ClusterRule(
        min_count=int(data["min_count"]),
        window=timedelta(hours=float(data["window_hours"])),
        area=AreaKind(data["area"]),
        radius_km=None if data.get("radius_km") is None else float(data["radius_km"]),
    )


def _rule_in(rule: ClusterRule) -> ClusterRuleIn:
    return ClusterRuleIn(
        area=rule.area,
        min_count=rule.min_count,
        window_hours=rule.window.total_seconds() / 3600,
        radius_km=rule.radius_km,
    )
