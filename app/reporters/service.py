"""Reporters' use cases for administrators: create, replace, list, deactivate, and the upsert
(found by mobile, or by name when there is none) that `odvarsel add-reporter` and a YAML
`apply` use. An administrator sees and changes only reporters bound to one of their
municipalities, and may bind them only to those; one bound to several municipalities is
changed only by an administrator of all of them. Services never commit.

Alerts from the form are stored under one API client of their own, `FORM_CLIENT_ID`
(inactive: it never gets a token), made with the first reporter; which reporter sent an
alert is `ReporterAlert`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.api.admin import AdminScope
from app.auth import repository as clients
from app.auth import service as auth_service
from app.auth.municipalities import EveryMunicipality, codes_filter
from app.errors import Forbidden, NotFound, Unprocessable
from app.reporters import repository
from app.reporters.models import Reporter
from app.reporters.schemas import ReporterIn, ReporterOut

FORM_CLIENT_ID = "odvarsel-skjema"
"""The API client the form's alerts are stored under (the idempotency key is per client)."""
FORM_CLIENT_NAME = "Skjema for mannskap (/skjema)"


@dataclass(frozen=True)
class Upserted:
    reporter: ReporterOut
    created: bool
    changed: bool


def out_of(row: Reporter, municipalities: list[str]) -> ReporterOut:
    return ReporterOut.model_validate({**row.model_dump(), "municipalities": municipalities})


async def _checked_codes(scope: AdminScope, codes: list[str]) -> list[str]:
    wanted = sorted(set(codes))
    if not isinstance(scope.municipalities, EveryMunicipality):
        foreign = [c for c in wanted if c not in scope.municipalities]
        if foreign:
            raise Forbidden(f"not allowed to administer municipality {foreign[0]}")
    known = await repository.known_municipalities(scope.session, wanted)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise Unprocessable(f"municipality {unknown[0]} is not served")
    return wanted


async def _visible(scope: AdminScope, reporter_id: uuid.UUID) -> tuple[Reporter, list[str]]:
    row = await repository.get(scope.session, reporter_id)
    codes = (await repository.municipalities_of(scope.session, [reporter_id])).get(reporter_id, [])
    acting = scope.municipalities
    if row is None or not (
        isinstance(acting, EveryMunicipality) or any(c in acting for c in codes)
    ):
        raise NotFound("no such reporter")
    return row, codes


async def _changeable(scope: AdminScope, reporter_id: uuid.UUID) -> tuple[Reporter, list[str]]:
    """The reporter, if the scope administers every municipality they report for: a crew
    shared with another municipality is seen by both, but changed by neither alone (it
    could unbind the other's crew, end their sign-in, or give them a mobile of its own)."""
    row, codes = await _visible(scope, reporter_id)
    acting = scope.municipalities
    if not isinstance(acting, EveryMunicipality) and any(c not in acting for c in codes):
        raise Forbidden("the reporter also reports for a municipality you do not administer")
    return row, codes


async def ensure_form_client(scope: AdminScope) -> None:
    """The form's API client, made (inactive, no scopes, a secret nobody is shown) once."""
    if await clients.get_client(scope.session, FORM_CLIENT_ID) is not None:
        return
    await auth_service.create_client(
        scope.session,
        name=FORM_CLIENT_NAME,
        municipality_codes=[],
        scopes=[],
        now=scope.now,
        client_id=FORM_CLIENT_ID,
    )
    await scope.session.flush()
    client = await clients.get_client(scope.session, FORM_CLIENT_ID)
    assert client is not None
    client.active = False


def _apply(row: Reporter, body: ReporterIn) -> bool:
    """Sets the row's fields from `body`; whether any changed."""
    values = body.model_dump(exclude={"municipalities"}, mode="json")
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def _check_unique(scope: AdminScope, body: ReporterIn, reporter_id: uuid.UUID | None) -> None:
    if body.mobile is None:
        return
    other = await repository.find(scope.session, mobile=body.mobile, name=body.name)
    if other is not None and other.id != reporter_id:
        raise Unprocessable("another reporter has this mobile")


async def create(scope: AdminScope, body: ReporterIn) -> ReporterOut:
    codes = await _checked_codes(scope, body.municipalities)
    await _check_unique(scope, body, None)
    await ensure_form_client(scope)
    row = Reporter(
        name=body.name,
        reporter_type=body.reporter_type.value,
        created_at=scope.now,
        updated_at=scope.now,
    )
    _apply(row, body)
    repository.add(scope.session, row)
    await scope.session.flush()
    await repository.set_municipalities(scope.session, row.id, codes)
    return out_of(row, codes)


async def replace(scope: AdminScope, reporter_id: uuid.UUID, body: ReporterIn) -> ReporterOut:
    """Every field as `body` says; the municipalities too. Reactivates a deactivated one."""
    row, before = await _changeable(scope, reporter_id)
    codes = await _checked_codes(scope, body.municipalities)
    await _check_unique(scope, body, reporter_id)
    changed = _apply(row, body) or not row.active or codes != before
    if changed:
        row.active = True
        row.updated_at = scope.now
        await repository.set_municipalities(scope.session, row.id, codes)
    return out_of(row, codes)


async def upsert(scope: AdminScope, body: ReporterIn) -> Upserted:
    """Create, or bring the reporter with this mobile (or, without one, this name) in line
    with `body`; `changed` False when it already was."""
    found = await repository.find(scope.session, mobile=body.mobile, name=body.name)
    if found is None:
        return Upserted(reporter=await create(scope, body), created=True, changed=True)
    _, before = await _visible(scope, found.id)
    before_out = out_of(found, before)
    after = await replace(scope, found.id, body)
    return Upserted(reporter=after, created=False, changed=after != before_out)


async def get(scope: AdminScope, reporter_id: uuid.UUID) -> ReporterOut:
    row, codes = await _visible(scope, reporter_id)
    return out_of(row, codes)


async def listed(scope: AdminScope) -> list[ReporterOut]:
    rows = await repository.listed(scope.session, codes_filter(scope.municipalities))
    codes = await repository.municipalities_of(scope.session, [r.id for r in rows])
    return [out_of(r, codes[r.id]) for r in rows]


async def deactivate(scope: AdminScope, reporter_id: uuid.UUID) -> ReporterOut:
    """The reporter can no longer sign in; their sessions end at once."""
    row, codes = await _changeable(scope, reporter_id)
    if row.active:
        row.active = False
        row.updated_at = scope.now
        await repository.end_sessions(scope.session, row.id, scope.now)
    return out_of(row, codes)
