"""Webhooks never reach this machine or a private network in production: not by any spelling
of an address, not by a name that resolves there, now or later; and the delivery log does not
tell a closed port from a silent or a refused one. The app here runs with ENVIRONMENT=production.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config import Settings
from app.config.sections import AuthSettings, CryptoSettings, SmsSettings, WorkerSettings
from app.privacy.crypto import generate_key
from app.state import AppState
from app.webhooks import service
from app.webhooks.addresses import AddressGuard, AddressPolicy
from app.webhooks.engine import NOT_DELIVERED, WebhookEngine
from app.webhooks.transport import guarded_client, refused_by_guard
from app.webhooks.urls import LOCAL, UNRESOLVED
from devtools.loopback import free_port
from devtools.webhook_receiver import WebhookReceiver
from tests.databases import TEST_JWT_SECRET
from tests.factories import ApiCredentials, Factory
from tests.scenario import Scenario
from tests.webhooks.support import (
    ConnectionCounter,
    FakeResolver,
    deliveries,
    enqueue,
    set_endpoint,
)

PUBLIC = "51.174.10.20"
SPELLINGS_OF_THIS_MACHINE = [
    "127.1",
    "2130706433",
    "0x7f000001",
    "017700000001",
    "0",
    "127.0.0.1",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="production",
        database_url=database_url,
        data_dir=tmp_path,
        auth=AuthSettings(jwt_secret=SecretStr(TEST_JWT_SECRET)),
        crypto=CryptoSettings(
            keys={"k1": SecretStr(generate_key())}, hash_key=SecretStr(generate_key())
        ),
        sms=SmsSettings(allow_console_in_production=True),
        worker=WorkerSettings(run_in_app=False),
        log_json=False,
    )


@pytest.fixture
def resolver(state: AppState) -> FakeResolver:
    """The app's resolver, knowing a public name; tests add names."""
    fake = FakeResolver({"hooks.amk.test": [PUBLIC]})
    state.webhook_addresses.resolve = fake
    return fake


@pytest.fixture
async def counter() -> AsyncIterator[ConnectionCounter]:
    async with ConnectionCounter().listening() as listening:
        yield listening


async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(scopes=(Scope.ALERTS_READ,))


@pytest.mark.parametrize(
    "host", [*SPELLINGS_OF_THIS_MACHINE, "[::1]", "169.254.169.254", "[fd00::1]", "localhost"]
)
async def test_production_refuses_to_register_any_spelling_of_a_local_address(
    http: httpx.AsyncClient, factory: Factory, resolver: FakeResolver, host: str
) -> None:
    response = await set_endpoint(http, await amk(factory), f"https://{host}:8443/hooks")
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error == {"field": "url", "reason": LOCAL}


async def test_registration_resolves_the_name_and_refuses_it_unless_every_address_is_public(
    http: httpx.AsyncClient, factory: Factory, resolver: FakeResolver
) -> None:
    resolver.names |= {
        "localtest.me": ["127.0.0.1"],
        "mixed.amk.test": [PUBLIC, "10.0.0.5"],
        "metadata.amk.test": ["169.254.169.254"],
        "v6.amk.test": ["fd00::1"],
    }
    client = await amk(factory)
    for name in ("localtest.me", "mixed.amk.test", "metadata.amk.test", "v6.amk.test", "x.test"):
        response = await set_endpoint(http, client, f"https://{name}/hooks")
        assert response.status_code == 422, name
        assert response.json()["errors"] == [{"field": "url", "reason": UNRESOLVED}], (
            "a name that does not resolve (x.test) is answered like a local one"
        )
    assert (await set_endpoint(http, client, "https://hooks.amk.test/hooks")).status_code == 201


async def _store_endpoint(state: AppState, clock: FakeClock, client_id: str, url: str) -> None:
    """An endpoint stored without today's check (set before it, or the name resolved
    elsewhere then): what the engine must still refuse."""
    async with state.sessions() as session, session.begin():
        await service.set_endpoint(
            session,
            client_id=client_id,
            url=service.CheckedUrl(url),
            now=clock.now(),
            cipher=state.cipher,
        )


async def test_production_delivery_opens_no_connection_to_this_machine(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    factory: Factory,
    resolver: FakeResolver,
    counter: ConnectionCounter,
    scenario: Scenario,
) -> None:
    resolver.names["localtest.me"] = ["127.0.0.1"]
    clients = []
    for host in [*SPELLINGS_OF_THIS_MACHINE, "localtest.me"]:
        client = await amk(factory)
        await _store_endpoint(state, clock, client.client_id, f"https://{host}:{counter.port}/")
        await enqueue(state, clock, client)
        clients.append(client)

    assert await scenario.settle() == len(clients)

    assert counter.accepted == 0
    for client in clients:
        [delivery] = await deliveries(http, client)
        assert (delivery["status"], delivery["last_error"]) == ("pending", NOT_DELIVERED)


@pytest.mark.parametrize(
    "later", [["127.0.0.1"], ["::ffff:127.0.0.1"], ["0.0.0.0"], ["127.0.0.1", PUBLIC]]
)
async def test_a_name_that_resolves_to_this_machine_after_registration_is_not_connected_to(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    factory: Factory,
    resolver: FakeResolver,
    counter: ConnectionCounter,
    later: list[str],
    scenario: Scenario,
) -> None:
    client = await amk(factory)
    url = f"https://hooks.amk.test:{counter.port}/hooks"
    assert (await set_endpoint(http, client, url)).status_code == 201
    resolver.names["hooks.amk.test"] = later  # DNS rebinding
    await enqueue(state, clock, client)

    assert await scenario.settle() == 1

    assert counter.accepted == 0
    [delivery] = await deliveries(http, client)
    assert (delivery["last_status_code"], delivery["last_error"]) == (None, NOT_DELIVERED)


@pytest.mark.parametrize("host", SPELLINGS_OF_THIS_MACHINE)
async def test_the_connection_itself_refuses_every_spelling_of_this_machine(
    counter: ConnectionCounter, host: str
) -> None:
    """Below the URL check: the client the engine posts with, given the URL as it is."""
    production = AddressGuard(AddressPolicy(production=True), resolve=FakeResolver())
    async with guarded_client(production, ssl_context=ssl.create_default_context()) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.post(f"https://{host}:{counter.port}/", content=b"{}")
    assert refused_by_guard(refused.value)
    assert counter.accepted == 0

    development = AddressGuard(AddressPolicy(production=False), resolve=FakeResolver())
    async with guarded_client(development, ssl_context=ssl.create_default_context()) as client:
        with pytest.raises(httpx.HTTPError):  # the listener hangs up: no TLS
            await client.post(f"https://127.1:{counter.port}/", content=b"{}")
    assert counter.accepted == 1, "the listener counts what development lets through"


async def test_the_connection_goes_to_the_address_checked_and_keeps_the_name() -> None:
    """The name is looked up once, by the guard's resolver (the system's knows no
    hooks.amk.test), and the request still names it in its Host header."""
    resolver = FakeResolver({"hooks.amk.test": ["127.0.0.1"]})
    guard = AddressGuard(AddressPolicy(production=False), resolve=resolver)
    receiver = WebhookReceiver()
    async with (
        receiver.serving(),
        guarded_client(guard, ssl_context=ssl.create_default_context()) as client,
    ):
        url = f"http://hooks.amk.test:{receiver.port}/hooks"
        assert (await client.post(url, content=b"{}")).status_code == 204
    [received] = receiver.received
    assert received.headers["host"] == f"hooks.amk.test:{receiver.port}"
    assert resolver.lookups == {"hooks.amk.test": 1}


def _certificate(name: str, directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for `name`, valid 2000-2100 (no clock read)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2000, 1, 1))
        .not_valid_after(datetime(2100, 1, 1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_tls_names_and_verifies_the_host_of_the_url(tmp_path: Path) -> None:
    cert_path, key_path = _certificate("hooks.amk.test", tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    sni: list[str | None] = []
    server_context.sni_callback = lambda _socket, name, _context: sni.append(name)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    port = free_port()
    server = await asyncio.start_server(answer, "127.0.0.1", port, ssl=server_context)
    resolver = FakeResolver({"hooks.amk.test": ["127.0.0.1"]})
    guard = AddressGuard(AddressPolicy(production=False), resolve=resolver)
    trusting = ssl.create_default_context(cafile=str(cert_path))
    try:
        async with guarded_client(guard, ssl_context=trusting) as client:
            assert (await client.get(f"https://hooks.amk.test:{port}/")).status_code == 204
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(f"https://127.0.0.1:{port}/")  # the same server, by address
    finally:
        server.close()
        await server.wait_closed()
    assert sni[0] == "hooks.amk.test"


async def test_a_refused_address_a_closed_port_and_a_slow_lookup_look_the_same(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory
) -> None:
    """In development (loopback allowed): whatever kept a delivery from an HTTP answer, the
    client's log shows the same text and the same next attempt, recorded as of the round."""

    async def slow(host: str, port: int) -> list[str]:
        if host == "slow.amk.test":
            clock.advance(timedelta(seconds=5))  # the look-up took a while
            return ["127.0.0.1"]
        return await FakeResolver({"metadata.amk.test": ["169.254.169.254"]})(host, port)

    development = state.settings.model_copy(update={"environment": "development"})
    guard = AddressGuard(AddressPolicy(production=False), resolve=slow)
    engine = WebhookEngine(
        sessions=state.sessions,
        clock=clock,
        settings=development,
        cipher=state.cipher,
        addresses=guard,
    )
    closed = free_port()  # nobody listens
    urls = [
        f"http://127.0.0.1:{closed}/hooks",
        f"http://slow.amk.test:{closed}/hooks",
        "http://metadata.amk.test/hooks",
        "http://10.1.2.3/hooks",
    ]
    clients = []
    for url in urls:
        client = await amk(factory)
        await _store_endpoint(state, clock, client.client_id, url)
        await enqueue(state, clock, client)
        clients.append(client)
    started = clock.now()

    assert await engine.run_once(started) == len(urls)

    records = []
    for client in clients:
        [delivery] = await deliveries(http, client)
        records.append({k: delivery[k] for k in ("status", "last_status_code", "last_error")})
        records[-1]["next_attempt_at"] = delivery["next_attempt_at"]
    expected_next = (started + timedelta(seconds=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert records == [
        {
            "status": "pending",
            "last_status_code": None,
            "last_error": NOT_DELIVERED,
            "next_attempt_at": expected_next,
        }
    ] * len(urls)
