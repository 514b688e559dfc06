"""Which addresses the service will open a webhook connection to, and resolving names once.

The service posts from inside the operator's network on a client's say-so, so a URL must not
reach this machine, a private network or a cloud metadata service, however its host is
written: `127.1`, `2130706433`, `0x7f000001`, `017700000001`, `0`, `[::ffff:127.0.0.1]`, or
a name that resolves to any of them. The rules (`AddressPolicy`, `is_public`,
`ipv4_literal`) are pure; `AddressGuard` resolves a host once and answers the addresses it
checked, which is what the connection then goes to (`app.webhooks.transport`), so a name
that resolves differently a moment later (DNS rebinding) is never looked up again.

Production allows public addresses only; development also loopback (tests post to
receivers on 127.0.0.1). Both allow the networks an operator names in
`WEBHOOKS__ALLOWED_NETWORKS` (a dispatch system on a private network).
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Settings

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) -> the addresses the host resolves to, as text; OSError when it does not."""

_REFUSED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network": 0.0.0.0 connects to this machine on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, with the cloud metadata service 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, with the broadcast address
        "::/96",  # unspecified, loopback and the old IPv4-compatible addresses
        "::ffff:0:0/96",  # IPv4-mapped: another spelling of an IPv4 address
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # the old site-local
        "ff00::/8",  # multicast
    )
)
_LOOPBACK: tuple[IPNetwork, ...] = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
_THIS_MACHINE: tuple[IPNetwork, ...] = (*_LOOPBACK, ip_network("0.0.0.0/8"), ip_network("::/128"))
_NAT64 = ip_network("64:ff9b::/96")
_6TO4 = ip_network("2002::/16")
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def is_public(address: IPAddress) -> bool:
    """Whether `address` is on the public internet: not loopback, private, link-local, CGNAT,
    unspecified, multicast, reserved, documentation, IPv4-mapped or unique-local.

    Python's `is_global` alone lets multicast, IPv4-compatible and the old site-local
    addresses through, so the list above is checked too. An IPv6 address that carries an
    IPv4 address (NAT64, 6to4) is public only if that IPv4 address is.
    """
    if any(address in network for network in _REFUSED_NETWORKS):
        return False
    if isinstance(address, IPv6Address):
        if address in _NAT64:
            return is_public(IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:
            return is_public(address.sixtofour)
    return address.is_global


def touches_this_machine(network: IPNetwork) -> bool:
    """Whether `network` holds a loopback or unspecified address (`0.0.0.0/0`, say)."""
    return any(network.overlaps(own) for own in _THIS_MACHINE if own.version == network.version)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses a webhook may go to (pure)."""

    production: bool
    allowed_networks: tuple[IPNetwork, ...] = ()
    """Networks the operator named (`WEBHOOKS__ALLOWED_NETWORKS`); allowed even if private."""

    def allows(self, address: IPAddress) -> bool:
        if any(address in network for network in self.allowed_networks):
            return True
        if not self.production and any(address in network for network in _LOOPBACK):
            return True
        return is_public(address)

    def allows_name(self, host: str) -> bool:
        """False for `localhost` and its kin outside development (refused before resolving)."""
        name = host.rstrip(".").lower()
        local = name in _LOCAL_NAMES or name.endswith(".localhost")
        return not local or not self.production


def policy_of(settings: Settings) -> AddressPolicy:
    return AddressPolicy(
        production=settings.environment == "production",
        allowed_networks=tuple(settings.webhooks.allowed_networks),
    )


def allowed_network_problems(settings: Settings) -> list[str]:
    """WEBHOOKS__ALLOWED_NETWORKS may not reach this machine in production; the settings get
    this check from the entry points (`app.settings_checks`)."""
    production = settings.environment == "production"
    if production and any(touches_this_machine(n) for n in settings.webhooks.allowed_networks):
        return [
            "WEBHOOKS__ALLOWED_NETWORKS: must not hold loopback or 0.0.0.0 in production "
            "(webhooks would reach this machine)"
        ]
    return []


def ipv4_literal(host: str) -> IPv4Address | None:
    """The IPv4 address `host` spells in any notation the resolver accepts, or None.

    That is inet_aton's: one to four dot-separated parts, each decimal, octal (a leading 0)
    or hexadecimal (0x), the last filling the bytes left (`127.1`, `2130706433`,
    `0x7f000001`, `017700000001`, `0`). A trailing dot is taken as written without it, as
    browsers do, so `127.1.` is refused too rather than left to the resolver.
    """
    parts = host.removesuffix(".").split(".")
    if len(parts) > 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [
        int(part, 16) if part[:2].lower() == "0x" else int(part, 8 if part[0] == "0" else 10)
        for part in parts
    ]
    *head, last = values
    if any(value > 0xFF for value in head) or last >= 256 ** (5 - len(parts)):
        return None
    number = last
    for index, value in enumerate(head):
        number += value << (8 * (3 - index))
    return IPv4Address(number)


def literal_address(host: str) -> IPAddress | None:
    """The address `host` (a URL's host, without brackets) is written as, or None for a name."""
    if ":" in host:
        try:
            return ip_address(host)
        except ValueError:
            return None
    return ipv4_literal(host)


class RefusedAddress(Exception):
    """The host does not resolve, or resolves to an address the policy refuses."""


async def system_resolve(host: str, port: int) -> list[str]:
    """The operating system's resolver, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


@dataclass(slots=True)
class AddressGuard:
    """Resolves a host once and answers its addresses if the policy allows every one.

    `resolve` is the seam tests replace (`state.webhook_addresses.resolve = ...`) to make a
    name resolve to loopback without touching the system resolver.
    """

    policy: AddressPolicy
    resolve: Resolver = field(default=system_resolve)

    async def checked(self, host: str, port: int) -> list[IPAddress]:
        """The addresses to connect to, in the resolver's order; RefusedAddress when `host`
        does not resolve or any of its addresses is refused (one bad address is enough: the
        connection could go to any of them)."""
        if not self.policy.allows_name(host):
            raise RefusedAddress("a local name")
        try:
            found = await self.resolve(host, port)
            addresses = _unique(ip_address(text) for text in found)
        except (OSError, ValueError) as exc:  # ValueError: IDNA refuses the name, odd answers
            raise RefusedAddress("does not resolve") from exc
        if not addresses:
            raise RefusedAddress("does not resolve")
        if not all(self.policy.allows(address) for address in addresses):
            raise RefusedAddress("resolves to a refused address")
        return addresses


def _unique(addresses: Iterable[IPAddress]) -> list[IPAddress]:
    return list(dict.fromkeys(addresses))
