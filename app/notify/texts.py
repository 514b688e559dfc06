"""The SMS texts in bokmål, nynorsk and English: the words are the `sms.*` messages of the
catalogs (`app.i18n`), the rules of fitting them here.

SMS are notify-only (docs/rules.md, "Notify-only SMS"): no function here takes anything about
the patient, so no caller can put a name, national id, place or clinical detail into a text.
Every text is GSM-7 and fits one segment: municipality and team names are transliterated and
shortened to make room; the link and the reply code are never changed, and an over-long link or
code is refused, because the link builder must keep them short.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from app.i18n import N_, Words, language_of, short_moment, words
from app.i18n import OSLO as OSLO  # where the pages and the SMS replies take it from
from app.i18n import Language as Language  # the engines and pages take it from here
from app.notify.gsm7 import SINGLE_SEGMENT, is_gsm7, septet_length, to_gsm7, truncate_septets

REPLY_KEYWORD = "OK"
"""A reply "OK <code>" acknowledges; the inbound SMS parser matches on this word."""
MAX_LINK_SEPTETS = 48
"""What the link builder may use; with the longest code every text still fits one segment."""
MAX_REPLY_CODE_LENGTH = 6


def local_time(instant: datetime, *, language: Language = "nb") -> str:
    """Europe/Oslo wall time as the language writes it (`app.i18n.short_moment`):
    "23.11. kl. 00.41" (nb) or "23 Nov 00:41" (en)."""
    return short_moment(instant, language)


Page = Literal["alert", "ward", "reminder"]
"""Which page goes to a member: the first, the first for a person admitted to hospital or to
the legevakt's beds (the ward comes first), or a later one about an alert still not
acknowledged."""
_PAGES: dict[Page, str] = {
    "alert": N_("sms.alert"),
    "ward": N_("sms.alert_ward"),
    "reminder": N_("sms.reminder"),
}

LeaderNews = Literal["fatal", "urgent", "late", "exhausted"]
"""What the leader (or else the fallback number) is told of an alert not paged as usual:
- fatal: a fatal overdose, not paged to the on-duty team; the bereavement follow-up starts
  with the leader;
- urgent: an anonymous alert that is urgent (an objected alert with suicide risk); the text
  says neither why nor anything of the person;
- late: the alert came in after the paging window, so nobody on duty was paged for it;
- exhausted: every step passed without an acknowledgement (to the leader and the fallback
  number).
"""
_LEADER_NEWS: dict[LeaderNews, str] = {
    "fatal": N_("sms.fatal"),
    "urgent": N_("sms.leader_urgent"),
    "late": N_("sms.late"),
    "exhausted": N_("sms.exhausted"),
}


def page_text(
    *,
    page: Page,
    municipality_name: str,
    occurred_at: datetime,
    reply_code: str,
    link: str,
    language: Language = "nb",
) -> str:
    """An SMS paging a member about an alert, with their link and the reply code."""
    return _render(
        _PAGES[page],
        language,
        municipality_name=municipality_name,
        occurred_at=occurred_at,
        link=link,
        reply_code=reply_code,
    )


def leader_text(
    *,
    news: LeaderNews,
    team_name: str,
    municipality_name: str,
    occurred_at: datetime,
    reply_code: str | None = None,
    link: str | None = None,
    language: Language = "nb",
) -> str:
    """To the leader (or else the fallback number): `news` of an alert.

    Give the leader a link, the fallback number a reply code; with both and a long link the
    names are shortened hard.
    """
    return _render(
        _LEADER_NEWS[news],
        language,
        municipality_name=municipality_name,
        occurred_at=occurred_at,
        team_name=team_name,
        link=link,
        reply_code=reply_code,
    )


def fatal_contact_text(
    *,
    team_name: str,
    municipality_name: str,
    occurred_at: datetime,
    language: Language = "nb",
) -> str:
    """To the municipality's named contact for fatal alerts (e.g. the kommuneoverlege), at
    the same time as the leader: the same news without personal data. No link and no reply
    code: the contact is no member of the team and takes no alert."""
    return _render(
        N_("sms.fatal_contact"),
        language,
        municipality_name=municipality_name,
        occurred_at=occurred_at,
        team_name=team_name,
    )


def roster_hole_text(
    *,
    team_name: str,
    municipality_name: str,
    occurred_at: datetime,
    fallback_paged: bool = True,
    language: Language = "nb",
) -> str:
    """To the leader: nobody was on duty; the fallback number, or else the leader, was paged."""
    return _render(
        N_("sms.hole_fallback") if fallback_paged else N_("sms.hole_leader"),
        language,
        municipality_name=municipality_name,
        occurred_at=occurred_at,
        team_name=team_name,
    )


def fallback_text(
    *,
    team_name: str,
    municipality_name: str,
    occurred_at: datetime,
    reply_code: str,
    language: Language = "nb",
) -> str:
    """To the policy's fallback number when a step or a roster hole pages it.

    No link: links are bound to one person, and a fallback number is nobody in particular.
    """
    return _render(
        N_("sms.fallback"),
        language,
        municipality_name=municipality_name,
        occurred_at=occurred_at,
        team_name=team_name,
        reply_code=reply_code,
    )


def taken_text(
    *,
    municipality_name: str,
    occurred_at: datetime,
    taken_by: str,
    language: Language = "nb",
) -> str:
    """To the others paged for an alert: a colleague (a staff name, never the patient's) took
    it. Names are shortened to fit one segment."""
    fixed = {"t": local_time(occurred_at, language=language_of(language))}
    names = {"m": municipality_name, "who": taken_by}
    return _fit(words(language).gettext("sms.taken"), names=names, fixed=fixed)


def taken_plain_text(*, language: Language = "nb") -> str:
    return words(language).gettext("sms.taken_plain")


def answer_text(
    *, municipality_name: str, occurred_at: datetime, answer: str, language: Language = "nb"
) -> str:
    """To the reporter's call-back number: the team's answer (in the municipality's written
    standard; the answer text was checked for personal data before it got here). The
    municipality is shortened first; an answer too long for one segment is cut."""
    fixed = {"t": local_time(occurred_at, language=language)}
    names = {"m": municipality_name, "answer": answer}
    return _fit(words(language).gettext("sms.answer"), names=names, fixed=fixed)


def plain_text(
    *, reply_code: str | None = None, link: str | None = None, language: Language = "nb"
) -> str:
    """What is sent when a text cannot be rendered (a name or a time that will not go): no
    names, no time; a link or code that is not fit to send is left out, never the SMS."""
    sms_words = words(language)
    link = link if link is not None and _passes(_check_link, link) else None
    code = reply_code if reply_code is not None and _passes(_check_reply_code, reply_code) else None
    ack = _ack(sms_words, link=link, reply_code=code)
    return re.sub(" {2,}", " ", sms_words.gettext("sms.plain").format(ack=ack)).strip()


def _render(
    message_id: str,
    language: Language,
    *,
    municipality_name: str,
    occurred_at: datetime,
    team_name: str | None = None,
    link: str | None = None,
    reply_code: str | None = None,
) -> str:
    # Anything but "nn" or "en" gets bokmål: an unknown setting must never stop an alert.
    sms_words = words(language)
    if link is not None:
        _check_link(link)
    if reply_code is not None:
        _check_reply_code(reply_code)
    names = {"m": municipality_name}
    if team_name is not None:
        names["team"] = team_name
    fixed = {
        "t": local_time(occurred_at, language=language_of(language)),
        "ack": _ack(sms_words, link=link, reply_code=reply_code),
    }
    return _fit(sms_words.gettext(message_id), names=names, fixed=fixed)


def _ack(sms_words: Words, *, link: str | None, reply_code: str | None) -> str:
    if link is not None and reply_code is not None:
        both = sms_words.gettext("sms.ack_both")
        return both.format(link=link, code=reply_code, keyword=REPLY_KEYWORD)
    if link is not None:
        return sms_words.gettext("sms.ack_link").format(link=link)
    if reply_code is not None:
        return sms_words.gettext("sms.ack_code").format(code=reply_code, keyword=REPLY_KEYWORD)
    return ""


def _fit(template: str, *, names: dict[str, str], fixed: dict[str, str]) -> str:
    """Fill in the template, shortening the longest names until the text fits one segment."""
    # Names come from administrators: make them GSM-7 and one line, and cap them early.
    cleaned = {key: " ".join(to_gsm7(name).split())[:SINGLE_SEGMENT] for key, name in names.items()}
    while True:
        # An empty name or acknowledgement part would leave a double or a trailing space;
        # the link and the reply code hold no spaces, so this never changes them.
        text = re.sub(" {2,}", " ", template.format(**fixed, **cleaned)).strip()
        if septet_length(text) <= SINGLE_SEGMENT:
            return text
        excess = septet_length(text) - SINGLE_SEGMENT
        # Ties cut the later name first: the municipality matters more than the team.
        lengths = sorted(
            (septet_length(name), i, key) for i, (key, name) in enumerate(cleaned.items())
        )
        longest, _, key = lengths[-1]
        if longest == 0:
            raise ValueError("the text does not fit one SMS segment even without names")
        # Cut the longest name down towards the next longest; names of equal length share.
        others = [length for length, _, _ in lengths[:-1]]
        gap = longest - max(others) if others else excess
        cut = min(excess, gap) if gap else -(-excess // (1 + others.count(longest)))
        cleaned[key] = truncate_septets(cleaned[key], longest - cut).rstrip(" -,.")


def _passes(check: Callable[[str], None], value: str) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True


def _check_link(link: str) -> None:
    # The reasons never repeat the link: it carries a token.
    if not link.startswith(("https://", "http://")):
        raise ValueError("the link must be an http(s) URL")
    if any(char.isspace() for char in link) or not is_gsm7(link):
        raise ValueError("the link must be GSM-7 without spaces")
    if septet_length(link) > MAX_LINK_SEPTETS:
        raise ValueError(f"the link is longer than {MAX_LINK_SEPTETS} septets")


def _check_reply_code(reply_code: str) -> None:
    if not (reply_code.isascii() and reply_code.isalnum()):
        raise ValueError("the reply code must be ASCII letters and digits")
    if len(reply_code) > MAX_REPLY_CODE_LENGTH:
        raise ValueError(f"the reply code is longer than {MAX_REPLY_CODE_LENGTH} characters")
