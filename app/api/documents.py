"""One seam for settings documents: each is read whole with GET and replaced whole with PUT.

A municipality's triage table, answers to the crew, follow-up settings, warning contacts and
cluster rules, and a team's escalation policy are each one `SettingsDocument`: its name (also
its path below the owner's), whom it belongs to (`Owner`), and two functions of its domain,
`load(session, key)` and `store(session, key, body, now=...)`, whose signatures give the
schemas (what PUT reads, what GET and PUT answer), as an endpoint's give FastAPI its models.
Neither function authorises nor commits: `read` and `write` check the owner first, and the
caller owns the transaction. They are registered in one place (`app.settings_documents`);
`mount` makes a document's two routes with its OpenAPI words (`Words`, kept as data), and
`odvarsel apply muni.yaml` finds the documents by name there and calls `read` and `write`
with a claim acting for every municipality, as the routes call them with the token's
(`app/apply/documents.py`).

The owner is resolved and authorised once, by the owner's dependency (`Owner.claim`): it reads
the path (`{code}`, `{team_id}`) and whom the token may act for, and its `Claim` is checked
(`Claim.resolve`) inside the request's transaction, after FastAPI has validated the body, so
that a bad body is still a 422 before an unknown or another client's owner is a 404. What a
claim names is for the owner's domain to check (a municipality or a team: the roster's
`app.roster.teams.owners`), handed in as `Owner.check`: this module imports no domain.
"""

from __future__ import annotations

import inspect
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Generic, Protocol, TypeAlias, TypeVar, cast, get_type_hints

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import PREFIX, REQUIRE_ADMIN
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.auth.municipalities import ActingFor
from app.clock import Clock
from app.deps import ClockDep, TxSession

K = TypeVar("K")
"""The owner's key: a municipality's code, a team's id."""
K_contra = TypeVar("K_contra", contravariant=True)
B_contra = TypeVar("B_contra", bound=BaseModel, contravariant=True)
D_co = TypeVar("D_co", bound=BaseModel, covariant=True)
B = TypeVar("B", bound=BaseModel)
"""What PUT reads."""
D = TypeVar("D", bound=BaseModel)
"""What GET and PUT answer."""

Check: TypeAlias = Callable[[AsyncSession, K, ActingFor], Awaitable[None]]
"""Raises NotFound unless the owner exists and is one the caller acts for (another client's
owner gets the same answer as one that does not exist)."""


class Load(Protocol[K_contra, D_co]):
    """The owner's document as it stands; the default where it has not set its own."""

    def __call__(self, session: AsyncSession, key: K_contra, /) -> Awaitable[D_co]: ...


class Store(Protocol[K_contra, B_contra, D_co]):
    """Replace the owner's document (checked, refused with InvalidFields); what GET answers now."""

    def __call__(
        self, session: AsyncSession, key: K_contra, body: B_contra, /, *, now: datetime
    ) -> Awaitable[D_co]: ...


@dataclass(frozen=True, slots=True)
class Claim(Generic[K]):
    """The owner a request names and whom its client acts for, not yet checked."""

    key: K
    acting_for: ActingFor
    check: Check[K]

    async def resolve(self, session: AsyncSession) -> K:
        """The key, once the owner exists and may be acted for; NotFound otherwise."""
        await self.check(session, self.key, self.acting_for)
        return self.key


@dataclass(frozen=True, slots=True)
class Owner(Generic[K]):
    """Whom documents belong to: the admin path that names one (below `PREFIX`), the FastAPI
    dependency that reads that path and the token into a `Claim`, and the check it hands on."""

    path: str
    claim: Callable[..., Awaitable[Claim[K]]]
    check: Check[K]


@dataclass(frozen=True, slots=True)
class SettingsDocument(Generic[K, B, D]):
    """A document an owner reads and replaces whole (the module's docstring says how)."""

    name: str
    """Unique; the path below the owner's, and the document's key in an applied YAML file."""
    owner: Owner[K]
    load: Load[K, D]
    store: Store[K, B, D]

    @property
    def path(self) -> str:
        return f"/{self.name}"

    @property
    def body(self) -> type[B]:
        """What PUT reads: the type of `store`'s third parameter."""
        body = list(inspect.signature(self.store).parameters)[2]
        return cast(type[B], get_type_hints(self.store)[body])

    @property
    def answer(self) -> type[D]:
        """What GET and PUT answer: the type `load` returns."""
        return cast(type[D], get_type_hints(self.load)["return"])


@dataclass(frozen=True, slots=True)
class Operation:
    """What the OpenAPI document says of a document's GET or PUT: the endpoint's name (the
    operation id is made from it), the summary and the description."""

    name: str
    summary: str
    description: str


@dataclass(frozen=True, slots=True)
class Words:
    """A document's OpenAPI words: its tag, and what its GET and its PUT say."""

    tag: str
    get: Operation
    put: Operation


def read_words(path: Path) -> dict[str, Words]:
    """The words of each document, by its name, from a TOML file (`[name]` with `tag`,
    `[name.get]` and `[name.put]` with `name`, `summary` and `description`)."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    return {
        name: Words(words["tag"], Operation(**words["get"]), Operation(**words["put"]))
        for name, words in data.items()
    }


async def read(session: AsyncSession, document: SettingsDocument[K, B, D], claim: Claim[K]) -> D:
    """The claimed owner's document, once the claim is checked."""
    return await document.load(session, await claim.resolve(session))


async def write(
    session: AsyncSession,
    document: SettingsDocument[K, B, D],
    claim: Claim[K],
    body: B,
    *,
    now: datetime,
) -> D:
    """Replace the claimed owner's document, once the claim is checked."""
    return await document.store(session, await claim.resolve(session), body, now=now)


def mount(document: SettingsDocument[Any, Any, Any], words: Words) -> APIRouter:
    """The document's router: GET and PUT at `PREFIX` + the owner's path + the document's,
    for the `admin` scope, described by `words`."""
    router = APIRouter(
        prefix=f"{PREFIX}{document.owner.path}{document.path}",
        tags=[words.tag],
        dependencies=REQUIRE_ADMIN,
        responses=AUTH_PROBLEMS,
    )
    for endpoint, operation, method, responses in (
        (_get_endpoint(document), words.get, "GET", NOT_FOUND),
        (_put_endpoint(document), words.put, "PUT", {**NOT_FOUND, **INVALID}),
    ):
        router.add_api_route(
            "",
            endpoint,
            methods=[method],
            name=operation.name,
            summary=operation.summary,
            description=operation.description,
            response_model=document.answer,
            responses=responses,
        )
    return router


def _get_endpoint(document: SettingsDocument[K, B, D]) -> Callable[..., Awaitable[D]]:
    async def endpoint(claim: Claim[K], session: AsyncSession) -> D:
        return await read(session, document, claim)

    return _typed(endpoint, document, body=False)


def _put_endpoint(document: SettingsDocument[K, B, D]) -> Callable[..., Awaitable[D]]:
    async def endpoint(claim: Claim[K], body: B, session: AsyncSession, clock: Clock) -> D:
        return await write(session, document, claim, body, now=clock.now())

    return _typed(endpoint, document, body=True)


def _typed(
    endpoint: Callable[..., Awaitable[D]], document: SettingsDocument[K, B, D], *, body: bool
) -> Callable[..., Awaitable[D]]:
    """Give the endpoint the signature FastAPI reads: the owner's claim, the document's body
    (PUT), the request's transaction (`TxSession`) and the clock (PUT). Written out because the
    types are the document's."""
    parameters = [
        ("claim", Annotated[Claim[Any], Depends(document.owner.claim)]),
        *([("body", document.body)] if body else []),
        ("session", TxSession),
        *([("clock", ClockDep)] if body else []),
    ]
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a) for n, a in parameters],
        return_annotation=document.answer,
    )
    return endpoint
