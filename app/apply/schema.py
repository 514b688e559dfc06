"""What a municipality file holds: the pydantic models `odvarsel apply` validates it with.

The settings documents are the admin API's own bodies, one key per document of
`app.settings_documents` (a document added there is a key here at once). Teams, members,
rotations and escalation policies are the API's bodies too, but name members by their name
in the file where the API takes ids. A key left out leaves that part as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from app.api.bodies import RequestBody
from app.auth.scopes import Scope
from app.escalation.policy.schemas import PolicyIn, StepModel, StepTargetModel
from app.followup.template_schema import FollowupTemplate, TemplateKind
from app.norway.types import MunicipalityCode
from app.reporters.schemas import ReporterIn
from app.roster.rota.schemas import RotationIn
from app.roster.teams.owners import MUNICIPALITY
from app.roster.teams.schemas import MemberIn, MunicipalityIn, Name
from app.settings_documents import DOCUMENTS
from app.strict import Boolean

ClientId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")]


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"two {what} named {name!r}")
        seen.add(name)


def _settings_section() -> type[BaseModel]:
    """One optional field per municipality settings document, keyed by the document's name."""
    fields: dict[str, Any] = {
        name.replace("-", "_"): (document.body | None, None)
        for name, document in DOCUMENTS.items()
        if document.owner is MUNICIPALITY
    }
    model: type[BaseModel] = create_model(
        "MunicipalitySettingsFile",
        __config__=ConfigDict(
            extra="forbid",
            hide_input_in_errors=True,
            alias_generator=lambda name: name.replace("_", "-"),
        ),
        **fields,
    )
    return model


SettingsSection = _settings_section()
"""The municipality's settings documents by name: triage (with the working hours),
answer-options (answer lists and places), warning-contacts (with the neighbours),
followup-settings, cluster-rules, and any document registered later."""

_BY_NAME = "name members with `members` (their names in this file), not by id"


class RotationFile(RotationIn):
    """A rotation as `POST .../rotations` takes it, with `members` named, in turn order."""

    members: list[Name] = Field(min_length=1, max_length=50)
    member_ids: list[uuid.UUID] = Field(default_factory=list, exclude=True)

    @model_validator(mode="after")
    def _by_name(self) -> Self:
        if self.member_ids:
            raise ValueError(_BY_NAME)
        return self

    def body(self, ids: Mapping[str, uuid.UUID]) -> RotationIn:
        """The API's body, members named by their ids."""
        fields = self.model_dump(exclude={"members", "member_ids"})
        return RotationIn(**fields, member_ids=[ids[name] for name in self.members])


class TargetFile(StepTargetModel):
    members: list[Name] = Field(default_factory=list, description="With `members` only.")

    @model_validator(mode="after")
    def _by_name(self) -> Self:
        if self.member_ids:
            raise ValueError(_BY_NAME)
        return self


class StepFile(StepModel):
    targets: list[TargetFile] = Field(min_length=1, max_length=10)  # type: ignore[assignment]


class PolicyFile(PolicyIn):
    """A team's escalation policy as `PUT .../escalation-policy` takes it, members named."""

    steps: list[StepFile] = Field(min_length=1, max_length=20)  # type: ignore[assignment]

    def body(self, ids: Mapping[str, uuid.UUID]) -> PolicyIn:
        steps = [
            StepModel(
                delay_minutes=step.delay_minutes,
                targets=[
                    StepTargetModel(kind=t.kind, member_ids=[ids[n] for n in t.members])
                    for t in step.targets
                ],
            )
            for step in self.steps
        ]
        return PolicyIn(steps=steps, repeat=self.repeat, fallback_number=self.fallback_number)

    def member_names(self) -> set[str]:
        return {n for step in self.steps for target in step.targets for n in target.members}


class TeamFile(RequestBody):
    """A team, matched by its name in the municipality; its members by their names."""

    name: Name
    receives_alerts: Boolean | None = None
    tell_others_when_taken: Boolean | None = None
    leader: Name | None = Field(default=None, description="A member's name.")
    members: list[MemberIn] | None = None
    rotations: list[RotationFile] | None = None
    escalation_policy: PolicyFile | None = Field(default=None, alias="escalation-policy")

    @model_validator(mode="after")
    def _names_its_members(self) -> Self:
        if self.members is None:
            if self.leader or self.rotations is not None or self.escalation_policy:
                raise ValueError(
                    "leader, rotations and escalation-policy name members: give `members` too"
                )
            return self
        names = [m.name for m in self.members]
        _unique(names, "members")
        named = {self.leader} if self.leader else set()
        named |= {n for r in self.rotations or [] for n in r.members}
        if self.escalation_policy:
            named |= self.escalation_policy.member_names()
        unknown = sorted(named - set(names))
        if unknown:
            raise ValueError(f"names no member of the team: {', '.join(unknown)}")
        return self


class ClientFile(RequestBody):
    """An API client; its secret is made when it is created and printed once."""

    id: ClientId
    name: Name
    scopes: list[Scope] = Field(min_length=1)
    municipalities: list[MunicipalityCode] | None = Field(
        default=None, description="Default: the file's municipality."
    )


class TemplatesFile(RequestBody):
    """The municipality's own follow-up procedures, each as `PUT .../templates/{kind}`."""

    survivor: FollowupTemplate | None = None
    fatal: FollowupTemplate | None = None

    @model_validator(mode="after")
    def _kinds(self) -> Self:
        for kind in TemplateKind:
            template = getattr(self, kind.value)
            if template is not None and template.kind is not kind:
                raise ValueError(f"{kind.value}: the template's kind is {template.kind.value}")
        return self


class MunicipalityFile(RequestBody):
    """A whole municipality (`odvarsel apply`)."""

    municipality: MunicipalityIn
    settings: SettingsSection | None = None  # type: ignore[valid-type]
    templates: TemplatesFile | None = None
    teams: list[TeamFile] | None = None
    clients: list[ClientFile] | None = None
    reporters: list[ReporterIn] | None = Field(
        default=None,
        description="The crews' sign-in accounts for the form (`municipalities` defaults to "
        "this municipality)",
    )

    @model_validator(mode="before")
    @classmethod
    def _reporters_of_this_municipality(cls, data: Any) -> Any:
        """A reporter without `municipalities` reports for the file's municipality."""
        if not isinstance(data, dict) or not isinstance(data.get("reporters"), list):
            return data
        municipality = data.get("municipality")
        code = municipality.get("code") if isinstance(municipality, dict) else None
        if code is None:
            return data
        reporters = [
            {**r, "municipalities": [code]}
            if isinstance(r, dict) and "municipalities" not in r
            else r
            for r in data["reporters"]
        ]
        return {**data, "reporters": reporters}

    @model_validator(mode="after")
    def _one_of_each(self) -> Self:
        _unique([t.name for t in self.teams or []], "teams")
        _unique([c.id for c in self.clients or []], "clients")
        if sum(bool(t.receives_alerts) for t in self.teams or []) > 1:
            raise ValueError("teams: only one team may receive the alerts")
        return self
