"""Where webhooks may go (pure rules): every spelling of an address, the policy, the URL check."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, ip_address, ip_network

import pytest

from app.webhooks.addresses import AddressPolicy, ipv4_literal, is_public, touches_this_machine
from app.webhooks.urls import LOCAL, url_problem

PRODUCTION = AddressPolicy(production=True)
DEVELOPMENT = AddressPolicy(production=False)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.0x00.0.01", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("00", "0.0.0.0"),
        ("10.258", "10.0.1.2"),
        ("1.2.3", "1.2.0.3"),
        ("4294967295", "255.255.255.255"),
        ("169.254.43518", "169.254.169.254"),
        ("127.1.", "127.0.0.1"),  # the resolver would look this up by name; refused all the same
        ("4294967296", None),
        ("256.1", None),
        ("1.2.65536", None),
        ("08", None),
        ("0x", None),
        ("0x1g", None),
        ("127.0.0.1.1", None),
        ("1..2", None),
        ("", None),
        ("amk.example.no", None),
        ("1e3", None),
    ],
)
def test_ipv4_literal_reads_every_notation_the_resolver_reads(
    host: str, address: str | None
) -> None:
    assert ipv4_literal(host) == (IPv4Address(address) if address else None)
    if host and not host.endswith(".") and ".." not in host:  # the resolver agrees
        try:
            infos = socket.getaddrinfo(
                host, 443, family=socket.AF_INET, flags=socket.AI_NUMERICHOST
            )
        except socket.gaierror:
            assert address is None
        else:
            assert {info[4][0] for info in infos} == {address}


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "169.254.0.1",
        "100.64.0.1",  # carrier-grade NAT
        "100.127.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:8.8.8.8",  # mapped is refused even for a public address
        "::7f00:1",  # IPv4-compatible
        "fd00::1",  # unique local
        "fc00::1",
        "fe80::1",
        "fe80::1%eth0",
        "fec0::1",
        "ff02::1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2001:db8::1",
    ],
)
def test_what_is_not_public(address: str) -> None:
    assert not is_public(ip_address(address))
    assert not PRODUCTION.allows(ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "51.174.10.20",
        "100.128.0.1",
        "172.32.0.1",
        "192.169.0.1",
        "2a00:1450:400f:80c::200e",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::",  # 6to4 of 8.8.8.8
    ],
)
def test_what_is_public(address: str) -> None:
    assert is_public(ip_address(address))
    assert PRODUCTION.allows(ip_address(address)) and DEVELOPMENT.allows(ip_address(address))


def test_development_allows_loopback_but_not_private_or_metadata() -> None:
    allowed = ["127.0.0.1", "127.0.0.2", "::1"]
    refused = ["10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1"]
    refused += ["fd00::1", "0.0.0.0", "::ffff:127.0.0.1"]
    assert [DEVELOPMENT.allows(ip_address(a)) for a in allowed] == [True] * len(allowed)
    assert [DEVELOPMENT.allows(ip_address(a)) for a in refused] == [False] * len(refused)
    assert DEVELOPMENT.allows_name("localhost") and not PRODUCTION.allows_name("a.localhost.")


def test_networks_the_operator_names_are_allowed_in_either_environment() -> None:
    named = (ip_network("10.20.0.0/16"), ip_network("fd12:3456::/32"))
    for production in (True, False):
        policy = AddressPolicy(production=production, allowed_networks=named)
        assert policy.allows(ip_address("10.20.1.2")) and policy.allows(ip_address("fd12:3456::1"))
        assert not policy.allows(ip_address("10.21.0.1"))
        assert not policy.allows(ip_address("169.254.169.254"))


@pytest.mark.parametrize(
    ("network", "touches"),
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("127.0.0.0/8", True),
        ("0.0.0.0/8", True),
        ("::1/128", True),
        ("10.0.0.0/8", False),
        ("fd00::/8", False),
    ],
)
def test_a_network_that_holds_this_machine(network: str, touches: bool) -> None:
    assert touches_this_machine(ip_network(network)) is touches


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://127.1/",
        "https://127.1:8443/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://017700000001/",
        "https://0/",
        "https://0.0.0.0/",
        "https://127.1./",
        "https://[::1]/",
        "https://[::]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://[0:0:0:0:0:ffff:127.0.0.1]/",
        "https://[fd00::1]/",
        "https://[fe80::1%25eth0]/",
        "https://10.1.2.3/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://localhost/",
        "https://LOCALHOST./",
        "https://hooks.localhost/",
    ],
)
def test_production_refuses_every_spelling_of_a_local_address(url: str) -> None:
    assert url_problem(url, PRODUCTION) == LOCAL


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8000/hooks", None),
        ("http://127.1:8000/hooks", None),
        ("http://localhost:8000/hooks", None),
        ("http://[::1]:8000/hooks", None),
        ("https://amk.example.no/hooks", None),
        ("https://10.1.2.3/", LOCAL),
        ("https://0xa010203/", LOCAL),
        ("https://169.254.169.254/", LOCAL),
        ("https://[fd00::1]/", LOCAL),
        ("https://0/", LOCAL),
    ],
)
def test_development_takes_loopback_and_refuses_private_networks(
    url: str, problem: str | None
) -> None:
    assert url_problem(url, DEVELOPMENT) == problem


def test_production_takes_https_to_public_addresses_and_names() -> None:
    assert url_problem("https://51.174.10.20/hooks", PRODUCTION) is None
    assert url_problem("https://amk.example.no/hooks", PRODUCTION) is None
    assert url_problem("http://amk.example.no/hooks", PRODUCTION) == (
        "must be an https URL in production"
    )
