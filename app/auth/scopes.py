"""The scopes a machine client can hold."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    ALERTS_WRITE = "alerts:write"
    ALERTS_READ = "alerts:read"
    ALERTS_DETAILS = "alerts:details"
    ADMIN = "admin"
    ADMIN_CLIENTS = "admin:clients"
    ADMIN_MUNICIPALITIES = "admin:municipalities"
    PRIVACY_READ = "privacy:read"
    CONCERNS_WRITE = "concerns:write"
    STATISTICS_READ = "statistics:read"


SCOPE_DESCRIPTIONS: dict[str, str] = {
    Scope.ALERTS_WRITE: "Post overdose alerts",
    Scope.ALERTS_READ: "Read the status of alerts this client posted",
    Scope.ALERTS_DETAILS: "Read the personal data of its municipalities' alerts, as the team "
    "leader (a municipality's case system); every read is logged",
    Scope.ADMIN: "Manage the teams, members, rosters and escalation policies of the client's "
    "municipalities",
    Scope.ADMIN_CLIENTS: "List the API clients of the client's municipalities, deactivate them "
    "and rotate their secrets (only into scopes this client holds itself)",
    Scope.ADMIN_MUNICIPALITIES: "Add municipalities to the service (the operator's scope, "
    "not bound to any municipality)",
    Scope.PRIVACY_READ: "Read the access log (privacy officer)",
    Scope.CONCERNS_WRITE: "File concern reports about dangerous drugs for the client's "
    "municipalities (partners: police, injection room, user organisations); reads nothing",
    Scope.STATISTICS_READ: "Read the anonymous statistics of the client's municipalities "
    "(counts below 5 and what would reveal them are hidden); no personal data",
}
