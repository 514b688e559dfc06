"""The pure rules of answering the crew and reading SMS replies, as tables."""

from __future__ import annotations

import pytest

from app.answers.rules import (
    Answer,
    AnswerKind,
    Reply,
    ReplyKind,
    parse_reply,
    render,
)
from app.i18n import words
from app.privacy.free_text import personal_data_in

ACK = ReplyKind.ACKNOWLEDGE


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("OK 2688", Reply(ACK, "2688")),
        ("ok 2688", Reply(ACK, "2688")),
        ("Ok2688", Reply(ACK, "2688")),
        ("2688", Reply(ACK, "2688")),
        ("  OK   2688  ", Reply(ACK, "2688")),
        ("OK 2688.", Reply(ACK, "2688")),
        ("OK 2688 20", Reply(ACK, "2688", 20)),
        ("ok 2688 20 min", Reply(ACK, "2688", 20)),
        ("OK 2688 20min", Reply(ACK, "2688", 20)),
        ("OK 2688 0", Reply(ACK, "2688")),  # not a number of minutes: only taken
        ("OK 2688 999", Reply(ACK, "2688")),
        ("OK 123456", Reply(ACK, "123456")),
        ("OK", Reply(ReplyKind.UNKNOWN)),
        ("OK 12", Reply(ReplyKind.UNKNOWN)),
        ("OK 1234567", Reply(ReplyKind.UNKNOWN)),
        ("OK 2688 kommer", Reply(ReplyKind.UNKNOWN)),
        ("", Reply(ReplyKind.UNKNOWN)),
        ("STOP", Reply(ReplyKind.STOP)),
        ("stop", Reply(ReplyKind.STOP)),
        ("Stopp", Reply(ReplyKind.STOP)),
        ("UNSUBSCRIBE", Reply(ReplyKind.STOP)),
        ("stop please", Reply(ReplyKind.UNKNOWN)),
        ("START", Reply(ReplyKind.START)),
        ("unstop", Reply(ReplyKind.START)),
        ("HELP", Reply(ReplyKind.HELP)),
        ("hjelp", Reply(ReplyKind.HELP)),
        ("info", Reply(ReplyKind.HELP)),
    ],
)
def test_parse_reply(body: str, expected: Reply) -> None:
    assert parse_reply(body) == expected


NAME = "Ola Nordmann"


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("Vi kommer om 20 min", []),
        ("Ta ham med til Stasjonen", []),
        ("Hun er kjent for oss", []),
        ("01010750160", ["looks like a national id number (11 digits)"]),
        ("fnr 010107 50161", ["looks like a national id number (11 digits)"]),
        ("ring 91234567", ["looks like a phone number"]),
        ("ring 912 34 567", ["looks like a phone number"]),
        ("ring +47 912 34 567", ["looks like a phone number"]),
        ("ring 0047 91234567", ["looks like a phone number"]),
        ("kommer kl 2330", []),
        ("Ola er kjent", ["contains the person's name from the alert"]),
        ("spør etter NORDMANN", ["contains the person's name from the alert"]),
        ("Olav kommer", []),  # a part of a name must be a whole word
        (
            "Ola, 91234567",
            ["looks like a phone number", "contains the person's name from the alert"],
        ),
    ],
)
def test_personal_data_in_free_text(text: str, reasons: list[str]) -> None:
    assert personal_data_in(text, names=[NAME]) == reasons


def test_a_one_letter_name_part_does_not_refuse_every_sentence() -> None:
    assert personal_data_in("i morgen", names=["I Nordmann"]) == []


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (Answer(AnswerKind.COMING, minutes=20), "Kommer, ca. 20 min"),
        (Answer(AnswerKind.COMING), "Kommer"),
        (
            Answer(AnswerKind.BRING_TO, place="Traraveien 19"),
            "Ta vedkommende med til Traraveien 19",
        ),
        (
            Answer(AnswerKind.CANNOT_COME, follow_up="i morgen tidlig"),
            "Kan ikke komme nå, vi følger opp i morgen tidlig",
        ),
        (Answer(AnswerKind.CANNOT_COME), "Kan ikke komme nå, vi følger opp senere"),
        (Answer(AnswerKind.FREE_TEXT, text="Vi ringer deg"), "Vi ringer deg"),
    ],
)
def test_render(answer: Answer, text: str) -> None:
    assert render(answer, words("nb")) == text


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (Answer(AnswerKind.COMING, minutes=20), "Kjem, ca. 20 min"),
        (Answer(AnswerKind.COMING), "Kjem"),
        (Answer(AnswerKind.BRING_TO, place="Stasjonen"), "Ta vedkomande med til Stasjonen"),
        (Answer(AnswerKind.CANNOT_COME), "Kan ikkje kome no, vi følgjer opp seinare"),
    ],
)
def test_render_in_nynorsk(answer: Answer, text: str) -> None:
    """A nynorsk municipality answers its crews in nynorsk (issue 21)."""
    assert render(answer, words("nn")) == text
