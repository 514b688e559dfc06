"""The checks that look across sections, and those a domain hands in.

`Settings` runs every check once its fields are valid and refuses to load with one
"VARIABLE: reason" line per problem, never a value. The checks here need nothing but the
settings. A check that needs a domain's knowledge (a key's format, a link's length, the
networks of this machine) lives in that domain, since `app.config` imports no domain, and is
handed in with `register_check` by the entry points (`app.settings_checks.install`); its
problems follow these, in the order the checks were handed in.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Settings

SettingsCheck = Callable[["Settings"], list[str]]
"""Settings -> one "VARIABLE: reason" line per problem (empty when there is none)."""

_handed_in: list[SettingsCheck] = []


def register_check(check: SettingsCheck) -> None:
    """Runs `check` on every Settings validated from now on (once, however often handed in)."""
    if check not in _handed_in:
        _handed_in.append(check)


def problems_of(settings: Settings) -> list[str]:
    """Every problem of `settings`: its own checks first, then those handed in."""
    problems = _production_problems(settings) + _secret_problems(settings)
    for check in _handed_in:
        problems.extend(check(settings))
    return problems


def _production_problems(settings: Settings) -> list[str]:
    """Production configures every secret, sends real SMS and believes only named proxies."""
    if settings.environment != "production":
        return []
    problems = [
        f"{name}: must be set in production"
        for name, value in (
            ("AUTH__JWT_SECRET", settings.auth.jwt_secret),
            ("CRYPTO__KEYS", settings.crypto.keys or None),
            ("CRYPTO__HASH_KEY", settings.crypto.hash_key),
        )
        if value is None
    ]
    if settings.sms.backend == "console" and not settings.sms.allow_console_in_production:
        problems.append(
            "SMS__BACKEND: console sends no SMS and is refused in production; use "
            "twilio, or set SMS__ALLOW_CONSOLE_IN_PRODUCTION=true to text nobody"
        )
    if trusts_any_client(settings.forwarded_allow_ips):
        problems.append(
            "FORWARDED_ALLOW_IPS: * (or a /0 network) lets every client write its own "
            "address in X-Forwarded-For and reset the per-address limits; refused in "
            "production: name the reverse proxy's addresses"
        )
    return problems


def _secret_problems(settings: Settings) -> list[str]:
    problems: list[str] = []
    if settings.sms.backend == "twilio" and settings.sms.twilio_auth_token is None:
        problems.append("SMS__TWILIO_AUTH_TOKEN: must be set for the twilio backend")
    jwt_secret = settings.auth.jwt_secret
    if jwt_secret is not None and len(jwt_secret.get_secret_value()) < 32:
        problems.append("AUTH__JWT_SECRET: must be at least 32 characters")
    return problems


def trusts_any_client(forwarded_allow_ips: str) -> bool:
    """Whether uvicorn, given this FORWARDED_ALLOW_IPS, would believe the forwarded headers
    of any client: a `*` entry, or a network of every address (`0.0.0.0/0`, `::/0`)."""
    for entry in (part.strip() for part in forwarded_allow_ips.split(",")):
        if entry == "*":
            return True
        with contextlib.suppress(ValueError):  # uvicorn takes what is no network as a literal
            if "/" in entry and ipaddress.ip_network(entry).prefixlen == 0:
                return True
    return False
