"""The settings checks that need a domain, handed to `app.config` by every entry point.

`app.config` imports no domain, yet the settings must be refused when a key is not 32 bytes
(`app.privacy.keys`), when the public base URL leaves no room for a link in one SMS segment
(`app.notify.links`), or when a webhook network would reach this machine in production
(`app.webhooks.addresses`). Each check lives in its domain; `install` hands them in, so
every `Settings` validated afterwards, read from the environment or built by a test, lists
all its problems at once. `app.main`, `app.cli` and the alembic environment install them
when imported, before any settings are read.
"""

from __future__ import annotations

from app.config.checks import SettingsCheck, register_check
from app.notify.links import base_url_problems
from app.privacy.keys import key_problems
from app.webhooks.addresses import allowed_network_problems

DOMAIN_CHECKS: tuple[SettingsCheck, ...] = (
    base_url_problems,
    allowed_network_problems,
    key_problems,
)
"""In the order their problems are listed, after the settings' own."""


def install() -> None:
    """Hands every domain check to the settings (once, however often it is called)."""
    for check in DOMAIN_CHECKS:
        register_check(check)
