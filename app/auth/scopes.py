"""The scopes a machine client can hold."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    ALERTS_WRITE = "alerts:write"
    ALERTS_READ = "alerts:read"
    ALERTS_DETAILS = "alerts:details"
    ADMIN = "admin"
    PRIVACY_READ = "privacy:read"


SCOPE_DESCRIPTIONS: dict[str, str] = {
    Scope.ALERTS_WRITE: "Post overdose alerts",
    Scope.ALERTS_READ: "Read the status of alerts this client posted",
    Scope.ALERTS_DETAILS: "Read the personal data of its municipalities' alerts, as the team "
    "leader (a municipality's case system); every read is logged",
    Scope.ADMIN: "Manage municipalities, teams, rosters and clients",
    Scope.PRIVACY_READ: "Read the access log (privacy officer)",
}
