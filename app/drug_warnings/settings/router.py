"""Admin API for a municipality's warning settings (scope `admin`): two settings documents,
who its warnings reach and how its clusters are detected."""

from __future__ import annotations

from app.api.documents import Operation, SettingsDocument, mount
from app.drug_warnings.settings import service as settings
from app.drug_warnings.settings.schemas import ClusterRules, ClusterRulesDoc, WarningContacts
from app.roster.teams.owners import MUNICIPALITY

ADMIN_TAG = "admin: drug warnings"

WARNING_CONTACTS = SettingsDocument(
    name="warning-contacts",
    owner=MUNICIPALITY,
    path="/warning-contacts",
    tag=ADMIN_TAG,
    body=WarningContacts,
    answer=WarningContacts,
    load=settings.contacts_of,
    store=settings.set_contacts,
    get=Operation(
        "get_warning_contacts",
        summary="Get who the municipality's warnings reach",
        description="A municipality that has set none warns nobody by SMS.",
    ),
    put=Operation(
        "set_warning_contacts",
        summary="Set who the municipality's warnings reach",
        description="Replaces the contact list (each gets an approved warning by SMS) and the "
        "neighbours (served municipalities whose leaders receive it in their list). Warnings "
        "sent before are not changed.",
    ),
)

CLUSTER_RULES = SettingsDocument(
    name="cluster-rules",
    owner=MUNICIPALITY,
    path="/cluster-rules",
    tag=ADMIN_TAG,
    body=ClusterRules,
    answer=ClusterRulesDoc,
    load=settings.rules_doc,
    store=settings.set_rules,
    get=Operation(
        "get_cluster_rules",
        summary="Get how clusters of overdoses are detected",
        description="A municipality that has not set its own gets the default (3 within 6 "
        "hours in the municipality), with `configured: false`, and no districts.",
    ),
    put=Operation(
        "set_cluster_rules",
        summary="Set how clusters of overdoses are detected, and the districts",
        description="Each rule raises its own signals: N overdoses within H hours (first to "
        "last, inclusive, by when they happened) in the municipality, within `radius_km` of one "
        "of them, or in one of the municipality's `districts` (named polygons of [latitude, "
        "longitude] points; an alert counts in the district whose boundary holds its "
        "coordinates, the first listed where districts overlap). Radius and district rules "
        "count only alerts whose coordinates were kept; each district has its own signals, "
        "which name it. The document is replaced whole: `districts` left out means none, and a "
        "`district` rule needs at least one. An empty `rules` list turns detection off. "
        "Signals raised before stay.",
    ),
)

routers = (mount(WARNING_CONTACTS), mount(CLUSTER_RULES))
