"""Which endpoint URLs the service will post to (pure).

Any syntactically sound http(s) URL whose host, written as an address in any notation, the
address policy allows (`app.webhooks.addresses`): in production only https, and never this
machine or a private network; development also takes loopback (tests post there). A host
name is checked by resolving it, which is not pure: `AddressGuard` does that when the URL is
registered and again at every connection.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from app.webhooks.addresses import AddressPolicy, literal_address

MAX_URL_LENGTH = 500
_WHITESPACE = re.compile(r"\s")
LOCAL = "must not point to this machine or a private network"
UNRESOLVED = "must name a host that resolves, and only to public addresses"


def syntax_problem(url: str) -> str | None:
    """Why `url` is not a URL the service could post to, whatever the environment, or None;
    the reason never repeats the URL."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if _WHITESPACE.search(url) or not url.isprintable():
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        _ = parts.port  # refuses a port that is not a number in range
        host = parts.hostname
        httpx.URL(url)  # what the engine will post to must be readable by httpx too
    except (ValueError, httpx.InvalidURL):
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http or https URL"
    if not host:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password (requests are signed instead)"
    if parts.fragment or url.endswith("#"):
        return "must not contain a fragment (#)"
    return None


def url_problem(url: str, policy: AddressPolicy) -> str | None:
    """Why the service will not post to `url` under `policy`, or None (a host name still has
    to resolve to allowed addresses: `AddressGuard`)."""
    if (problem := syntax_problem(url)) is not None:
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    if policy.production and parts.scheme != "https":
        return "must be an https URL in production"
    address = literal_address(host)
    if not (policy.allows(address) if address is not None else policy.allows_name(host)):
        return LOCAL
    return None


def host_and_port(url: str) -> tuple[str, int]:
    """The host and port a URL that passed `syntax_problem` connects to."""
    parsed = httpx.URL(url)  # the host as httpx hands it to the connection: IDNA, no brackets
    return parsed.raw_host.decode("ascii"), parsed.port or (443 if parsed.scheme == "https" else 80)
