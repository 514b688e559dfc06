"""The person's access report: who saw their data, when, what and why, as a document the
leader hands over on the person's written request (issue 22; docs/rules.md, "Access log").

Pure: the words of the document that do not come from the log. The legal bases are named as
the law names them (Norwegian citations, the same in every language of the pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from app.audit.enums import AccessBasis, ActorKind

RIGHT = (
    "Personvernforordningen (GDPR) artikkel 15: retten til innsyn i egne personopplysninger, "
    "blant annet hvem de er utlevert til."
)
"""The person's right the document answers. Only the provision the project can stand behind
is named: the Norwegian provision on access to the log is not among the seeds."""

BASIS_LAW: Mapping[AccessBasis, str] = MappingProxyType(
    {
        AccessBasis.CONSENT: "samtykke fra personen",
        AccessBasis.HPL_25: "helsepersonelloven § 25: samarbeidende personell",
        AccessBasis.INNSYN: "personens rett til innsyn (GDPR artikkel 15)",
        AccessBasis.HPL_23_2: "helsepersonelloven § 23 nr. 2: anonymt",
        AccessBasis.HPL_26: "helsepersonelloven § 26: internkontroll og kvalitetssikring",
        AccessBasis.PBRL_3_3: "pasient- og brukerrettighetsloven § 3-3: nærmeste pårørende "
        "når pasienten ikke kan samtykke",
        AccessBasis.HPL_23_1: "helsepersonelloven § 23 nr. 1: opplysningene er allerede kjent "
        "for mottakeren",
        AccessBasis.HPL_23_4: "helsepersonelloven § 23 nr. 4: tungtveiende private eller "
        "offentlige interesser",
        AccessBasis.HPL_31: "helsepersonelloven § 31: plikt til å avverge alvorlig skade",
        AccessBasis.HPL_33: "helsepersonelloven § 33: opplysningsplikt til barnevernet",
        AccessBasis.HPL_32: "helsepersonelloven § 32 andre ledd: gravid kvinnes bruk av rusmidler",
        AccessBasis.HPL_29C: "helsepersonelloven § 29 c: gjennomgang med personell som deltok",
    }
)
"""Each basis as the document names it."""

SYSTEM_NAME = "odvarsel (tjenesten selv)"
CLIENT_ROLE = "fagsystem (API-klient)"

MANUAL_PREFIX = "manual:"
"""How a recorded manual decision names who decided (`app.decisions.service.actor_id`)."""


def actor_name(
    kind: ActorKind, actor_id: str, known: Mapping[str, tuple[str, str]]
) -> tuple[str, str]:
    """(name, role) of who saw the data: a member or a client by the names kept (`known`,
    by id), a manual decision's decider by the name it was recorded with."""
    if actor_id in known:
        return known[actor_id]
    if kind is ActorKind.SYSTEM:
        return SYSTEM_NAME, "system"
    if actor_id.startswith(MANUAL_PREFIX):
        return actor_id.removeprefix(MANUAL_PREFIX), "ukjent rolle"
    return actor_id, "ukjent"
