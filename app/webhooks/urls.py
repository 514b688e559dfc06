"""Which endpoint URLs the service will post to (pure).

Any syntactically sound http(s) URL in development (tests use loopback); in production only
https, and not to this machine or a private network by address: the service posts from
inside the operator's network on a client's say-so. A host name that resolves to a private
address is not caught here (that needs the resolver, at request time, or an egress proxy).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import httpx

MAX_URL_LENGTH = 500
_WHITESPACE = re.compile(r"\s")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def url_problem(url: str, *, production: bool) -> str | None:
    """Why the service will not post to `url`, or None; the reason never repeats the URL."""
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
    if production:
        if parts.scheme != "https":
            return "must be an https URL in production"
        if _is_local(host):
            return "must not point to this machine or a private network in production"
    return None


def _is_local(host: str) -> bool:
    name = host.rstrip(".").lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name: resolved only when posting
    return not address.is_global
