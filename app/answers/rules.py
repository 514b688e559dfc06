"""Pure rules of answering the crew and of reading SMS replies (no I/O; table-tested).

* `render` turns an answer into the words the crew gets (bokmål: the crew is Norwegian).
* `parse_reply` reads an SMS reply forgivingly: "OK 2688", "ok2688", " 2688 ", "OK 2688 20"
  (coming in about 20 min), and Twilio's opt-out keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


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


def render(answer: Answer) -> str:
    """The answer as the crew reads it."""
    if answer.kind is AnswerKind.COMING:
        return f"Kommer, ca. {answer.minutes} min" if answer.minutes else "Kommer"
    if answer.kind is AnswerKind.BRING_TO:
        return f"Ta vedkommende med til {answer.place}"
    if answer.kind is AnswerKind.CANNOT_COME:
        if answer.follow_up:
            return f"Kan ikke komme nå, vi følger opp {answer.follow_up}"
        return "Kan ikke komme nå, vi følger opp senere"
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
