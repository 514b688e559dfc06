"""What staff sign-in keeps per running app: the sign-in limits, the page keys and the OIDC
key set cache. Kept beside the app's state (keyed by its session factory, so a test's new
app starts afresh and nothing outlives the app), built on first use from its settings."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.jwks import KeySetSource
from app.auth.staff.limits import SignInGuard
from app.auth.staff.security import PageKeys
from app.state import AppState


@dataclass
class StaffRuntime:
    guard: SignInGuard
    keys: PageKeys
    key_set: KeySetSource | None
    """None unless STAFF__MODE is oidc."""


_runtimes: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], StaffRuntime] = (
    weakref.WeakKeyDictionary()
)


def runtime_of(state: AppState) -> StaffRuntime:
    runtime = _runtimes.get(state.sessions)
    if runtime is None:
        settings = state.settings.staff
        key_set = None
        if settings.mode == "oidc":
            key_set = KeySetSource(
                url=settings.oidc_jwks_url,
                file=settings.oidc_jwks_file,
                cache_for=timedelta(minutes=settings.oidc_jwks_cache_minutes),
            )
        runtime = StaffRuntime(
            guard=SignInGuard(state.counters), keys=PageKeys(state.tokens.secret), key_set=key_set
        )
        _runtimes[state.sessions] = runtime
    return runtime
