"""A file's API clients, applied through the auth service. A client is found by its id; a
new one gets a secret, printed once (a file never holds one). The municipality's own clients
(bound to it alone) that the file leaves out are reported, and deactivated with `--prune`.
A deactivated client named in the file stays deactivated: a file never revives a credential
that someone switched off; give it a new id instead.
"""

from __future__ import annotations

from app.apply.report import ADDED, CHANGED, REMOVED, Applying, Refusal
from app.apply.schema import ClientFile
from app.auth import service as auth_service
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.schemas import ClientOut


async def apply_clients(ctx: Applying, clients: list[ClientFile]) -> None:
    session = ctx.session
    existing = {
        c.id: c for c in await auth_service.list_clients(session, municipalities=EVERY_MUNICIPALITY)
    }
    for index, spec in enumerate(clients):
        async with Refusal(f"clients[{index}]"):
            await _apply_client(ctx, existing.get(spec.id), spec)
    for client in existing.values():
        if client.id in {c.id for c in clients} or client.municipalities != [ctx.code]:
            continue
        if not client.active:
            continue
        if not ctx.prune:
            ctx.report.note(f"client {client.id} is not in the file: left active (--prune)")
            continue
        await auth_service.deactivate_client(
            session, client_id=client.id, municipalities=EVERY_MUNICIPALITY
        )
        ctx.report.change(REMOVED, f"client {client.id}: deactivated")


async def _apply_client(ctx: Applying, client: ClientOut | None, spec: ClientFile) -> None:
    scopes = sorted({s.value for s in spec.scopes})
    codes = sorted(set(spec.municipalities or [ctx.code]))
    if client is None:
        made = await auth_service.create_client(
            ctx.session,
            name=spec.name,
            municipality_codes=codes,
            scopes=scopes,
            now=ctx.now,
            client_id=spec.id,
        )
        ctx.report.secrets.append((made.client_id, made.secret))
        ctx.report.change(ADDED, f"client {spec.id}")
        return
    changed = [
        what
        for what, have, want in (
            ("name", client.name, spec.name),
            ("scopes", sorted(client.scopes), scopes),
            ("municipalities", client.municipalities, codes),
        )
        if have != want
    ]
    if changed:
        await auth_service.update_client(
            ctx.session, client_id=spec.id, name=spec.name, scopes=scopes, municipality_codes=codes
        )
        ctx.report.change(CHANGED, f"client {spec.id}: {', '.join(changed)}")
    if not client.active:
        ctx.report.note(f"client {spec.id} is deactivated: a file does not revive it")
