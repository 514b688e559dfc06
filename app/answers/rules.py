"""Pure rules of answering the crew and of reading SMS replies (no I/O; table-tested).

* `render` turns an answer into the words the crew gets, in the municipality's written
  standard (bokmål or nynorsk: the crew is Norwegian), the same words as the page's buttons.
* `parse_reply` reads an SMS reply forgivingly: "OK 2688", "ok2688", " 2688 ", "OK 2688 20"
  (coming in about 20 min), and Twilio's opt-out keywords.
* `taker_by_reply` decides who, if anyone, takes an alert when a number replies its code.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.i18n import Words


class AnswerKind(StrEnum):
    COMING = "coming"
    BRING_TO = "bring_to"
    CANNOT_COME = "cannot_come"
    FREE_TEXT = "free_text"


MAX_FREE_TEXT = 100
"""Characters of free text: with the municipality and time the SMS stays one segment."""
MAX_MINUTES = 240


@dataclass(frozen=True, slots=True)
class Answer:
    kind: AnswerKind
    minutes: int | None = None
    place: str | None = None
    follow_up: str | None = None
    text: str | None = None


def render(answer: Answer, words: Words) -> str:
    """The answer as the crew reads it, in `words` (the municipality's written standard)."""
    if answer.kind is AnswerKind.COMING:
        if answer.minutes:
            return words.gettext("coming").format(n=answer.minutes)
        return words.gettext("coming.no_time")
    if answer.kind is AnswerKind.BRING_TO:
        return words.gettext("bring_to").format(place=answer.place)
    if answer.kind is AnswerKind.CANNOT_COME:
        if answer.follow_up:
            return words.gettext("cannot_come").format(when=answer.follow_up)
        return words.gettext("cannot_come.later")
    return answer.text or ""


class ReplyKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    STOP = "stop"
    START = "start"
    HELP = "help"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    code: str | None = None
    minutes: int | None = None


STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "STOPP"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO", "HJELP"})
"""Twilio's default opt-out, opt-in and help keywords (matched as the whole message), and the
Norwegian STOPP and HJELP."""

_ACK = re.compile(r"^(?:OK\s*)?(\d{4,6})(?:\s+(\d{1,3})(?:\s*MIN\w*)?)?$")


def parse_reply(body: str) -> Reply:
    text = " ".join(body.upper().replace(".", " ").replace(",", " ").split())
    if text in STOP_WORDS:
        return Reply(ReplyKind.STOP)
    if text in START_WORDS:
        return Reply(ReplyKind.START)
    if text in HELP_WORDS:
        return Reply(ReplyKind.HELP)
    match = _ACK.match(text)
    if match is None:
        return Reply(ReplyKind.UNKNOWN)
    minutes = int(match.group(2)) if match.group(2) else None
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        minutes = None
    return Reply(ReplyKind.ACKNOWLEDGE, code=match.group(1), minutes=minutes)


@dataclass(frozen=True, slots=True)
class PagedMember:
    """A member a page of the alert was written for, as the member is now."""

    id: uuid.UUID
    team_id: uuid.UUID
    mobile: str
    active: bool


class TakerKind(StrEnum):
    MEMBER = "member"
    FALLBACK = "fallback"
    NOBODY = "nobody"
    """The number may not take the alert: the reply changes nothing."""


@dataclass(frozen=True, slots=True)
class Taker:
    kind: TakerKind
    member_id: uuid.UUID | None = None


NOBODY = Taker(TakerKind.NOBODY)


def taker_by_reply(
    *,
    number: str,
    team_id: uuid.UUID,
    pages: Sequence[PagedMember | None],
    fallback_number: str | None,
) -> Taker:
    """Who takes the alert of `team_id` when `number` replies its code.

    `pages`: one entry per page of the alert to `number`, the member it was for (None: a page
    to no member, i.e. the fallback number). A member takes it only while still active, on
    that team and holding that mobile: a member deactivated, moved to another team or given
    a new number since the page cannot take it (nor can whoever has the old number now).
    Otherwise the number takes it as the fallback number only if it is the team's fallback
    number now: a number that no longer is one takes nothing. A number never paged for the
    alert takes nothing.
    """
    if not pages:
        return NOBODY
    for paged in pages:
        if (
            paged is not None
            and paged.active
            and paged.team_id == team_id
            and paged.mobile == number
        ):
            return Taker(TakerKind.MEMBER, paged.id)
    if fallback_number is not None and number == fallback_number:
        return Taker(TakerKind.FALLBACK)
    return NOBODY
