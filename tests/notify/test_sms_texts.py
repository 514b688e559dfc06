"""SMS texts: GSM-7, one segment, link and code intact, Oslo time, no patient data."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import pytest

from app.i18n import LANGUAGES
from app.notify import links, texts
from app.notify.gsm7 import (
    SINGLE_SEGMENT,
    is_gsm7,
    septet_length,
    to_gsm7,
    truncate_septets,
)
from app.notify.texts import (
    MAX_LINK_SEPTETS,
    MAX_REPLY_CODE_LENGTH,
    Language,
    fallback_text,
    local_time,
    plain_text,
    roster_hole_text,
)

WINTER = datetime(2026, 11, 22, 23, 41, tzinfo=UTC)  # 00:41 CET the next day
SUMMER = datetime(2026, 7, 1, 22, 41, tzinfo=UTC)  # 00:41 CEST the next day
LINK = "https://odv.no/a/Xk3j9Qw2"
LONGEST_LINK = "https://odvarsel.fredrikstad.kommune.no/a/Xk3j9Q"
CODE = "4711"
LONGEST_CODE = "Q7Z9K2"

# --- GSM-7 ------------------------------------------------------------------------------

IS_GSM7 = [
    ("Overdosevarsel Fredrikstad", True),
    ("ÆØÅ æøå ÄÖÜ äöü é É ñ Ç à", True),
    ("€ [ ] { } ^ ~ \\ |", True),
    ("@£$¥ ¡¿ §¤ ΔΦΓΛΩΠΨΣΘΞ _\n\r", True),
    ("", True),
    ("Kárášjohka", False),
    ("ç", False),  # only the capital Ç is in the table
    ("“quoted”", False),
    ("tab\there", False),
    ("🚑", False),
    ("\x1b", False),  # ESC only introduces the extension table
]


@pytest.mark.parametrize(("text", "expected"), IS_GSM7)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


SEPTETS = [
    ("", 0),
    ("Fredrikstad", 11),
    ("æøå ÆØÅ", 7),
    ("€", 2),
    ("[x]", 5),
    ("{}^~\\|€[]", 18),
    ("a\fb", 4),
]


@pytest.mark.parametrize(("text", "expected"), SEPTETS)
def test_septet_length_counts_extension_characters_twice(text: str, expected: int) -> None:
    assert septet_length(text) == expected


def test_septet_length_refuses_text_that_is_not_gsm7() -> None:
    with pytest.raises(ValueError, match="not GSM-7"):
        septet_length("Kárášjohka")


TO_GSM7 = [
    ("Fredrikstad", "Fredrikstad"),
    ("Guovdageaidnu", "Guovdageaidnu"),
    ("Kárášjohka", "Karasjohka"),
    ("Ka\u0301ra\u0301s\u030cjohka", "Karasjohka"),  # decomposed input
    ("Porsáŋgu", "Porsangu"),
    ("Unjárga", "Unjarga"),
    ("Deatnu – Tana", "Deatnu - Tana"),
    ("Sør-Varanger, Ørland, Åfjord, Æsøy", "Sør-Varanger, Ørland, Åfjord, Æsøy"),
    ("Zürich Ñandú", "Zürich Ñandu"),
    ("Ça ça", "Ça ca"),
    ("‘single’ “double” «guillemets» „low”", '\'single\' "double" "guillemets" "low"'),
    ("a — b ‐ c −1", "a - b - c -1"),
    ("Vent…", "Vent..."),
    ("ﬁnn", "finn"),
    ("a\u00a0b\u202fc\u2009d", "a b c d"),  # no-break, narrow no-break and thin spaces
    ("a\u200bb\ufeffc", "abc"),  # zero-width space and BOM vanish
    ("tab\there", "tab here"),
    ("Đ đ Ŧ ŧ", "D d T t"),
    ("€ [natt] {helg}", "€ [natt] {helg}"),
    ("🚑 Ambulanse", "? Ambulanse"),
    ("❤️", "?"),  # the variation selector vanishes, the heart does not fit
    ("中文", "??"),
    ("ω", "?"),
]


@pytest.mark.parametrize(("text", "expected"), TO_GSM7)
def test_to_gsm7_keeps_what_fits_and_transliterates_the_rest(text: str, expected: str) -> None:
    result = to_gsm7(text)
    assert result == expected
    assert is_gsm7(result)


TRUNCATE = [
    ("abc", 2, "ab"),
    ("abc", 3, "abc"),
    ("abc", 10, "abc"),
    ("a€b", 2, "a"),  # the euro sign needs two septets and is not split
    ("a€b", 3, "a€"),
    ("", 0, ""),
]


@pytest.mark.parametrize(("text", "limit", "expected"), TRUNCATE)
def test_truncate_septets(text: str, limit: int, expected: str) -> None:
    assert truncate_septets(text, limit) == expected


# --- Oslo time --------------------------------------------------------------------------

LOCAL_TIME = [
    (WINTER, "23.11. kl. 00.41", "23 Nov 00:41"),
    (SUMMER, "2.7. kl. 00.41", "2 Jul 00:41"),
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29.3. kl. 01.59", "29 Mar 01:59"),  # last CET
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29.3. kl. 03.00", "29 Mar 03:00"),  # first CEST
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25.10. kl. 02.30", "25 Oct 02:30"),  # CEST
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25.10. kl. 02.30", "25 Oct 02:30"),  # CET again
    (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "1.1. kl. 00.00", "1 Jan 00:00"),
]


@pytest.mark.parametrize(("instant", "nb", "en"), LOCAL_TIME)
def test_local_time_is_europe_oslo(instant: datetime, nb: str, en: str) -> None:
    assert local_time(instant) == nb
    assert local_time(instant, language="en") == en


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        texts.page_text(
            page="alert",
            municipality_name="Fredrikstad",
            occurred_at=datetime(2026, 11, 23, 0, 41),
            reply_code=CODE,
            link=LINK,
        )


# --- The texts, word for word -----------------------------------------------------------

TextFunction = Callable[..., str]
DEFAULTS: dict[str, object] = {
    "municipality_name": "Oslo",
    "team_name": "MOT",
    "occurred_at": WINTER,
    "link": LINK,
    "reply_code": CODE,
}


def page(kind: texts.Page) -> TextFunction:
    """A member's page of this kind, as a text function."""
    return partial(texts.page_text, page=kind)


def leader(news: texts.LeaderNews) -> TextFunction:
    """The leader's text with this news, as a text function."""
    return partial(texts.leader_text, news=news)


def render(function: TextFunction, **overrides: object) -> str:
    """Call a text function with the defaults it takes, overridden; None drops an argument."""
    accepted = inspect.signature(function).parameters
    arguments = {k: v for k, v in {**DEFAULTS, **overrides}.items() if k in accepted}
    return function(**{k: v for k, v in arguments.items() if v is not None})


EXACT: list[tuple[TextFunction, dict[str, object], str]] = [
    (
        page("alert"),
        {"municipality_name": "Fredrikstad"},
        "Overdosevarsel Fredrikstad 23.11. kl. 00.41. Bekreft: https://odv.no/a/Xk3j9Qw2 eller "
        "svar OK 4711",
    ),
    (
        page("alert"),
        {"municipality_name": "Fredrikstad", "occurred_at": SUMMER, "language": "en"},
        "Overdose alert Fredrikstad 2 Jul 00:41. Acknowledge: https://odv.no/a/Xk3j9Qw2 or "
        "reply OK 4711",
    ),
    (
        page("reminder"),
        {"municipality_name": "Kárášjohka"},
        "Ikke bekreftet ennå: overdosevarsel Karasjohka 23.11. kl. 00.41. Bekreft: "
        "https://odv.no/a/Xk3j9Qw2 eller svar OK 4711",
    ),
    (
        page("reminder"),
        {"language": "en"},
        "Not acknowledged yet: overdose alert Oslo 23 Nov 00:41. Acknowledge: "
        "https://odv.no/a/Xk3j9Qw2 or reply OK 4711",
    ),
    (
        roster_hole_text,
        {"team_name": "Ressursteam", "municipality_name": "Bergen", "occurred_at": SUMMER},
        "Overdosevarsel Bergen 2.7. kl. 00.41: ingen på vakt i Ressursteam. Reservenummeret er "
        "varslet. Sjekk vaktlisten.",
    ),
    (
        roster_hole_text,
        {"fallback_paged": False},
        "Overdosevarsel Oslo 23.11. kl. 00.41: ingen på vakt i MOT og ikke noe reservenummer, så "
        "du er varslet. Sjekk vaktlisten.",
    ),
    (
        roster_hole_text,
        {"language": "en"},
        "Overdose alert Oslo 23 Nov 00:41: nobody on duty in MOT. The fallback number was paged. "
        "Check the roster.",
    ),
    (
        roster_hole_text,
        {"language": "en", "fallback_paged": False},
        "Overdose alert Oslo 23 Nov 00:41: nobody on duty in MOT and no fallback number, so you "
        "were paged. Check the roster.",
    ),
    (
        leader("exhausted"),
        {"link": None, "reply_code": None},
        "Overdosevarsel Oslo 23.11. kl. 00.41: ingen i MOT har bekreftet. Varslingen er over.",
    ),
    (
        leader("exhausted"),
        {"reply_code": None},
        "Overdosevarsel Oslo 23.11. kl. 00.41: ingen i MOT har bekreftet. Varslingen er over. "
        "Bekreft: https://odv.no/a/Xk3j9Qw2",
    ),
    (
        leader("exhausted"),
        {"link": None},
        "Overdosevarsel Oslo 23.11. kl. 00.41: ingen i MOT har bekreftet. Varslingen er over. "
        "Svar OK 4711 for å bekrefte.",
    ),
    (
        leader("exhausted"),
        {"language": "en"},
        "Overdose alert Oslo 23 Nov 00:41: nobody in MOT acknowledged. Paging has stopped. "
        "Acknowledge: https://odv.no/a/Xk3j9Qw2 or reply OK 4711",
    ),
    (
        fallback_text,
        {"team_name": "Ressursteam", "municipality_name": "Stavanger"},
        "Overdosevarsel Stavanger 23.11. kl. 00.41. Du varsles som reservenummer for Ressursteam. "
        "Svar OK 4711 for å bekrefte.",
    ),
    (
        fallback_text,
        {"language": "en"},
        "Overdose alert Oslo 23 Nov 00:41. You are paged as the fallback number for MOT. "
        "Reply OK 4711 to acknowledge.",
    ),
    # Names are shortened to fit; the link and the code are not.
    (
        page("alert"),
        {"municipality_name": "A" * 200},
        "Overdosevarsel " + "A" * 73 + " 23.11. kl. 00.41. Bekreft: https://odv.no/a/Xk3j9Qw2 "
        "eller svar OK 4711",
    ),
    (  # a cut that ends in " -" loses the dangling separator
        page("alert"),
        {"municipality_name": "A" * 71 + " -BBBB"},
        "Overdosevarsel " + "A" * 71 + " 23.11. kl. 00.41. Bekreft: https://odv.no/a/Xk3j9Qw2 "
        "eller svar OK 4711",
    ),
    (  # a short municipality name stays whole while the long team name is cut
        leader("exhausted"),
        {"team_name": "T" * 100, "municipality_name": "Fredrikstad", "link": None},
        "Overdosevarsel Fredrikstad 23.11. kl. 00.41: ingen i " + "T" * 43 + " har bekreftet. "
        "Varslingen er over. Svar OK 4711 for å bekrefte.",
    ),
    (  # two long names share the room; on a tie the team name gives way first
        leader("exhausted"),
        {"team_name": "T" * 100, "municipality_name": "M" * 100, "link": None},
        "Overdosevarsel " + "M" * 27 + " 23.11. kl. 00.41: ingen i " + "T" * 27 + " har bekreftet. "
        "Varslingen er over. Svar OK 4711 for å bekrefte.",
    ),
    (  # line breaks and tabs in a name never reach the SMS
        page("alert"),
        {"municipality_name": " Nordre\n\tFollo "},
        "Overdosevarsel Nordre Follo 23.11. kl. 00.41. Bekreft: https://odv.no/a/Xk3j9Qw2 eller "
        "svar OK 4711",
    ),
    (  # an empty name leaves no double space
        page("alert"),
        {"municipality_name": ""},
        "Overdosevarsel 23.11. kl. 00.41. Bekreft: https://odv.no/a/Xk3j9Qw2 eller svar OK 4711",
    ),
    (  # to the municipality's fatal contact: no link, no code
        texts.fatal_contact_text,
        {"municipality_name": "Fredrikstad", "team_name": "Ressursteam"},
        "Overdosedødsfall Fredrikstad 23.11. kl. 00.41: til deg som kommunens kontakt ved "
        "dødsfall. Lederen i Ressursteam er varslet.",
    ),
    (
        texts.fatal_contact_text,
        {"language": "en"},
        "Overdose death Oslo 23 Nov 00:41: to you as the municipality's contact for deaths. "
        "The leader of MOT has been told.",
    ),
    (  # an unknown language setting falls back to bokmål instead of failing the alert
        page("alert"),
        {"language": "se"},
        "Overdosevarsel Oslo 23.11. kl. 00.41. Bekreft: https://odv.no/a/Xk3j9Qw2 eller svar "
        "OK 4711",
    ),
    (
        page("alert"),
        {"language": "nn"},
        "Overdosevarsel Oslo 23.11. kl. 00.41. Stadfest: https://odv.no/a/Xk3j9Qw2 eller svar "
        "OK 4711",
    ),
    (
        leader("fatal"),
        {"team_name": "MOT", "language": "nn"},
        "Overdosedødsfall Oslo 23.11. kl. 00.41: til deg som leiar i MOT, ikkje til vakta. "
        "Stadfest: https://odv.no/a/Xk3j9Qw2 eller svar OK 4711",
    ),
]


@pytest.mark.parametrize(("function", "overrides", "expected"), EXACT)
def test_texts_word_for_word(
    function: TextFunction, overrides: dict[str, object], expected: str
) -> None:
    assert render(function, **overrides) == expected


# --- Every text, many inputs ------------------------------------------------------------

NAMES = [
    "Fredrikstad",
    "Guovdageaidnu",
    "Kárášjohka",
    "Porsáŋgu",
    "Ørland Æsøy Åfjord",
    "Nordre Follo kommune, Ressursteam overdose og MOT (mobilt oppsøkende team) – natt og helg",
    "X" * 500,
    "€" * 120,  # every character costs two septets
    "Team [natt] {helg} ~|^\\",
    "🚑 Ambulanse 🚑",
    "中文名",
    "Fredrik\nstad\t kommune",
    "",
    "   ",
]

# Every text function in every shape the engine uses; None leaves an argument out.
VARIANTS: list[tuple[str, TextFunction, dict[str, object]]] = [
    ("alert", page("alert"), {}),
    ("reminder", page("reminder"), {}),
    ("roster hole", roster_hole_text, {}),
    ("roster hole, leader paged", roster_hole_text, {"fallback_paged": False}),
    ("exhausted, link and code", leader("exhausted"), {}),
    ("exhausted, link", leader("exhausted"), {"reply_code": None}),
    ("exhausted, code", leader("exhausted"), {"link": None}),
    ("exhausted, bare", leader("exhausted"), {"link": None, "reply_code": None}),
    ("fallback", fallback_text, {}),
    ("late, to the leader", leader("late"), {"reply_code": None}),
    ("late, to the fallback number", leader("late"), {"link": None}),
    ("admitted, the ward first", page("ward"), {}),
    ("fatal, to the leader", leader("fatal"), {"reply_code": None}),
    ("fatal, to the fallback number", leader("fatal"), {"link": None}),
    ("urgent, to the leader", leader("urgent"), {"reply_code": None}),
    ("urgent, to the fallback number", leader("urgent"), {"link": None}),
    ("fatal, to the fatal contact", texts.fatal_contact_text, {}),
]


def carries(function: TextFunction, variant: dict[str, object], argument: str) -> bool:
    return argument in inspect.signature(function).parameters and argument not in variant


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("function", "variant"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS]
)
def test_every_text_is_one_gsm7_segment_with_link_code_and_time_intact(
    function: TextFunction, variant: dict[str, object], language: Language
) -> None:
    assert septet_length(LONGEST_LINK) == MAX_LINK_SEPTETS
    assert len(LONGEST_CODE) == MAX_REPLY_CODE_LENGTH
    reply = "reply ok" if language == "en" else "svar ok"
    has_link, has_code = (
        carries(function, variant, "link"),
        carries(function, variant, "reply_code"),
    )
    for municipality, team, at, link, code in itertools.product(
        NAMES, NAMES, (WINTER, SUMMER), (LINK, LONGEST_LINK), (CODE, LONGEST_CODE)
    ):
        arguments = {
            "municipality_name": municipality,
            "team_name": team,
            "occurred_at": at,
            "link": link,
            "reply_code": code,
            "language": language,
        }
        text = render(function, **(arguments | variant))
        case = f"{municipality!r}/{team!r}/{at}/{link}/{code}: {text!r}"
        assert is_gsm7(text), case
        assert septet_length(text) <= SINGLE_SEGMENT, case
        assert local_time(at, language=language) in text, case
        assert text.startswith(("Overdose", "Ikke", "Ikkje", "Not")), case
        assert "\n" not in text and "  " not in text, case
        # Whole words, so a shortened link or code could not pass as a match.
        words = text.rstrip(".").split(" ")
        assert (link in words) is has_link, case
        assert (f"{reply} {code.lower()}" in text.lower() and code in words) is has_code, case


SQUEEZED = "exhausted, link and code"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("function", "variant", "link"),
    [pytest.param(v[1], v[2], LINK, id=f"{v[0]}, usual link") for v in VARIANTS]
    + [
        pytest.param(v[1], v[2], LONGEST_LINK, id=f"{v[0]}, longest link")
        for v in VARIANTS
        if v[0] != SQUEEZED
    ],
)
def test_usual_names_are_shown_whole(
    function: TextFunction, variant: dict[str, object], link: str, language: Language
) -> None:
    # Only an exhausted text with both the longest link and a code has to squeeze them.
    for name, shown in [("Kárášjohka", "Karasjohka"), ("Sør-Varanger", "Sør-Varanger")]:
        arguments = {
            "municipality_name": name,
            "team_name": "Ressursteam",
            "link": link,
            "reply_code": LONGEST_CODE,
            "language": language,
        }
        text = render(function, **(arguments | variant))
        assert f" {shown} " in text, text
        assert "Ressursteam" in text or "team_name" not in inspect.signature(function).parameters


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("link", "code"),
    list(itertools.product((LINK, LONGEST_LINK, None), (CODE, LONGEST_CODE, None))),
)
def test_the_plain_text_is_one_segment_with_what_can_be_sent(
    link: str | None, code: str | None, language: Language
) -> None:
    """What goes out when a text cannot be rendered: no names, no time, never refused."""
    text = plain_text(link=link, reply_code=code, language=language)
    assert is_gsm7(text) and septet_length(text) <= SINGLE_SEGMENT, text
    assert text.startswith(("Overdosevarsel.", "Overdose alert.")), text
    assert (link is not None) is (link is not None and link in text.split(" "))
    assert (code is not None) is (code is not None and code in text.split(" "))
    broken = plain_text(link="javascript:x", reply_code="47 11", language=language)
    assert broken in ("Overdosevarsel.", "Overdose alert."), "a bad link or code is left out"


def test_links_built_by_the_link_module_fit_the_texts() -> None:
    longest_base = "https://" + "o" * (links.MAX_BASE_URL_LENGTH - len("https://"))
    link = links.sms_link(longest_base, links.new_token())
    assert septet_length(link) == MAX_LINK_SEPTETS
    assert (
        septet_length(
            texts.page_text(
                page="alert",
                municipality_name="Fredrikstad",
                occurred_at=WINTER,
                reply_code=LONGEST_CODE,
                link=link,
            )
        )
        <= SINGLE_SEGMENT
    )
    tokens = {links.new_token() for _ in range(1000)}
    assert len(tokens) == 1000 and all(t.isascii() and t.isalnum() for t in tokens)
    with pytest.raises(ValueError, match="not a link token") as raised:
        links.sms_link(longest_base, "short")
    assert "short" not in str(raised.value)


# --- Refusals ---------------------------------------------------------------------------

BAD_LINKS = [
    ("odv.no/a/Xk3j9Qw2", "http\\(s\\) URL"),
    ("javascript:alert(1)", "http\\(s\\) URL"),
    ("https://odv.no/a/Xk3j 9Qw2", "without spaces"),
    ("https://odv.no/á/Xk3j9Qw2", "without spaces"),
    ("https://odv.no/a/" + "x" * 32, "longer than 48 septets"),
    ("https://odv.no/a/" + "~" * 16, "longer than 48 septets"),  # 33 characters, 49 septets
]


@pytest.mark.parametrize(("link", "message"), BAD_LINKS)
def test_links_that_cannot_go_out_unchanged_are_refused(link: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        texts.page_text(
            page="alert", municipality_name="Oslo", occurred_at=WINTER, reply_code=CODE, link=link
        )
    assert link not in str(raised.value)


BAD_CODES = [
    ("", "ASCII letters and digits"),
    ("47 11", "ASCII letters and digits"),
    ("4711!", "ASCII letters and digits"),
    ("ÆØÅ", "ASCII letters and digits"),
    ("٤٧١١", "ASCII letters and digits"),
    ("1234567", "longer than 6 characters"),
]


@pytest.mark.parametrize(("code", "message"), BAD_CODES)
def test_reply_codes_that_cannot_be_typed_back_are_refused(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fallback_text(
            team_name="MOT", municipality_name="Oslo", occurred_at=WINTER, reply_code=code
        )


# --- Notify-only ------------------------------------------------------------------------

ALLOWED_PARAMETERS = {
    "municipality_name",
    "team_name",
    "occurred_at",
    "reply_code",
    "link",
    "language",
    "fallback_paged",
    "taken_by",  # a staff member's name, never the patient's
    "answer",  # the team's answer to the crew, refused if it holds personal data
    "page",  # which page (texts.Page), a fixed word
    "news",  # which news to the leader (texts.LeaderNews), a fixed word
}
TEXT_FUNCTIONS = [
    texts.page_text,
    texts.leader_text,
    roster_hole_text,
    fallback_text,
    plain_text,
    texts.taken_text,
    texts.taken_plain_text,
    texts.answer_text,
    texts.fatal_contact_text,
]


@pytest.mark.parametrize("function", TEXT_FUNCTIONS, ids=lambda f: f.__name__)
def test_texts_take_nothing_about_the_patient(function: Callable[..., str]) -> None:
    # A field for the person, place or clinical detail would need a new parameter here.
    parameters = inspect.signature(function).parameters.values()
    assert {p.name for p in parameters} <= ALLOWED_PARAMETERS
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)


def test_every_public_text_function_is_checked() -> None:
    public = {name for name in dir(texts) if name.endswith("_text")}
    assert public == {f.__name__ for f in TEXT_FUNCTIONS}


@pytest.mark.parametrize("language", LANGUAGES)
def test_taken_text_is_one_segment_for_any_names(language: Language) -> None:
    for municipality, who, at in itertools.product(NAMES, NAMES, (WINTER, SUMMER)):
        text = texts.taken_text(
            municipality_name=municipality, occurred_at=at, taken_by=who, language=language
        )
        case = f"{municipality!r}/{who!r}: {text!r}"
        assert is_gsm7(text) and septet_length(text) <= SINGLE_SEGMENT, case
        assert local_time(at, language=language) in text, case
    plain = texts.taken_plain_text(language=language)
    assert is_gsm7(plain) and septet_length(plain) <= SINGLE_SEGMENT


def test_taken_text_word_for_word() -> None:
    text = texts.taken_text(municipality_name="Fredrikstad", occurred_at=WINTER, taken_by="Bo Dahl")
    assert text == (
        f"Overdosevarselet i Fredrikstad {local_time(WINTER)} er tatt av Bo Dahl. "
        "Du trenger ikke gjøre noe."
    )


def test_answer_text_keeps_a_full_length_answer_in_one_segment() -> None:
    answer = "Kan ikke komme nå, vi følger opp " + "x" * 60
    for municipality, at in itertools.product(NAMES, (WINTER, SUMMER)):
        text = texts.answer_text(municipality_name=municipality, occurred_at=at, answer=answer)
        assert is_gsm7(text) and septet_length(text) <= SINGLE_SEGMENT, text
        assert local_time(at) in text
    usual = texts.answer_text(
        municipality_name="Fredrikstad", occurred_at=WINTER, answer="Kommer, ca. 20 min"
    )
    assert (
        usual == f"Svar fra Fredrikstad på overdosevarsel {local_time(WINTER)}: Kommer, ca. 20 min"
    )
