"""API models of staff sign-in."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.api.bodies import RequestBody
from app.auth.staff.identity import StaffIdentity
from app.i18n import language_of
from app.norway.types import MobileStr

_TEAM_ID = Field(
    default=None,
    description="Only when the number (or the token's claim) belongs to members of several "
    "teams: the team to sign in for (a 409 lists them).",
    examples=[None],
)


class SmsSignInIn(RequestBody):
    mobile: MobileStr = Field(
        description="The staff member's registered mobile (+47 4xxxxxxx or 9xxxxxxx).",
        examples=["+4791234567"],
    )


class SignInRequested(BaseModel):
    """The same answer whether or not the number belongs to a staff member."""

    detail: str = Field(
        examples=[
            "If the number belongs to an active staff member, a sign-in link was sent to it "
            "by SMS. The link works for 15 minutes, once."
        ]
    )
    link_minutes: int = Field(description="How long the link works.", examples=[15])


class LinkSignInIn(RequestBody):
    token: str = Field(
        min_length=1,
        max_length=64,
        description="The token at the end of the SMS link (`…/a/s/<token>`).",
        examples=["Q7bX2mPz9KdLr4Tw"],
    )
    team_id: uuid.UUID | None = _TEAM_ID


class OidcSignInIn(RequestBody):
    id_token: str = Field(
        min_length=1,
        max_length=16 * 1024,
        description="An ID token of the configured OpenID Connect provider (RS256 or ES256), "
        "naming the member by its `STAFF__OIDC_CLAIM` claim (`phone_number` by default).",
        examples=["eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiIuLi4ifQ.c2lnbmF0dXJl"],
    )
    team_id: uuid.UUID | None = _TEAM_ID


class StaffSessionInfo(BaseModel):
    id: uuid.UUID
    via: Literal["sms_link", "oidc"] = Field(examples=["oidc"])
    expires_at: datetime


class StaffMe(BaseModel):
    """The signed-in staff member, and what their access rests on."""

    member_id: uuid.UUID
    name: str = Field(examples=["Ada Lund"])
    role: str = Field(examples=["sykepleier"])
    language: Literal["nb", "nn", "en"] = Field(
        description="The language of the member's SMS and pages: their own choice, else the "
        "municipality's written standard.",
        examples=["nn"],
    )
    team_id: uuid.UUID
    team_name: str = Field(examples=["Ressursteam overdose"])
    municipality: str = Field(description="Kommunenummer.", examples=["3107"])
    municipality_name: str = Field(examples=["Fredrikstad"])
    is_leader: bool = Field(
        description="Leader of the team: sees the municipality's cases with personal data."
    )
    session: StaffSessionInfo

    @classmethod
    def of(cls, identity: StaffIdentity) -> StaffMe:
        # The identity's fields carry over by name (the session's ones are ignored at the top
        # level); the municipality is named differently, and the session is nested.
        return cls.model_validate(
            {
                **asdict(identity),
                "language": language_of(identity.language),
                "municipality": identity.municipality_code,
                "session": StaffSessionInfo(
                    id=identity.session_id,
                    via="oidc" if identity.via == "oidc" else "sms_link",
                    expires_at=identity.expires_at,
                ),
            }
        )


class StaffSessionOut(BaseModel):
    """A new staff session: send `session_token` as `Authorization: Bearer <token>`."""

    session_token: str = Field(examples=["ods_3q2x…"])
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: datetime
    staff: StaffMe
