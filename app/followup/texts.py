"""The follow-up SMS, bokmål with English (the `sms.followup.*` messages of `app.i18n`).

Notify-only, as the alerts are: no function here takes anything about the person or the
step (a step's title can tell that there are children, or no home), only the municipality,
a time and the link to the case. Every text is GSM-7 in one segment; the municipality's name
is transliterated and shortened to make room, the link is never changed.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from app.i18n import N_, words
from app.notify.gsm7 import SINGLE_SEGMENT, is_gsm7, septet_length, to_gsm7, truncate_septets
from app.notify.texts import Language, local_time

CASE_PATH = "/a/cases/"
MAX_LINK_SEPTETS = 90
"""The longest base URL (33) with the path and a case id (45) is 78."""


def case_link(public_base_url: str, case_id: uuid.UUID) -> str:
    """The link to a case's page (the page asks the staff member to sign in)."""
    return f"{public_base_url.rstrip('/')}{CASE_PATH}{case_id}"


def reminder_text(
    *, municipality_name: str, deadline: datetime, link: str, language: Language = "nb"
) -> str:
    """To a step's owner (and companion) before its deadline."""
    return _render(N_("sms.followup.reminder"), language, municipality_name, deadline, link)


def overdue_text(
    *, municipality_name: str, deadline: datetime, link: str, language: Language = "nb"
) -> str:
    """To the leader once a deadline has passed with the step not recorded."""
    return _render(N_("sms.followup.overdue"), language, municipality_name, deadline, link)


def crisis_text(
    *, municipality_name: str, deadline: datetime, link: str, language: Language = "nb"
) -> str:
    """To the leader when repeated overdoses made a case a serious crisis; `deadline` is the
    first of the steps it added."""
    return _render(N_("sms.followup.crisis"), language, municipality_name, deadline, link)


def retention_text(
    *, municipality_name: str, opened_at: datetime, link: str, language: Language = "nb"
) -> str:
    """To the leader once a case still open reaches the age its identity would be purged at
    (app.retention): close it, or it is kept; `opened_at` is when the case opened."""
    return _render(N_("sms.followup.retention"), language, municipality_name, opened_at, link)


def _render(
    message_id: str, language: Language, municipality: str, deadline: datetime, link: str
) -> str:
    if not link.startswith(("https://", "http://")) or any(c.isspace() for c in link):
        raise ValueError("the link must be an http(s) URL without spaces")
    if not is_gsm7(link) or septet_length(link) > MAX_LINK_SEPTETS:
        raise ValueError(f"the link must be GSM-7 and at most {MAX_LINK_SEPTETS} septets")
    template = words(language).gettext(message_id)
    when = local_time(deadline, language="en" if language == "en" else "nb")
    name = " ".join(to_gsm7(municipality).split())
    while True:
        text = re.sub(" {2,}", " ", template.format(m=name, t=when, link=link)).strip()
        text = text.replace(" :", ":")
        excess = septet_length(text) - SINGLE_SEGMENT
        if excess <= 0:
            return text
        if not name:
            raise ValueError("the text does not fit one SMS segment even without a name")
        name = truncate_septets(name, max(septet_length(name) - excess, 0)).rstrip(" -,.")
