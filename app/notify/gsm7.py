"""GSM 03.38 (3GPP TS 23.038) default alphabet helpers (pure).

A text made only of these characters is sent as 7-bit septets, 160 to a single segment;
one character outside it switches the whole SMS to UCS-2 and 70 characters a segment.
"""

from __future__ import annotations

import unicodedata

SINGLE_SEGMENT = 160

# The basic table without ESC (0x1B), which only introduces the extension table.
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each of these is sent as ESC + one septet, so it costs two.
EXTENSION = frozenset("\f^{}\\[~]|€")
ALPHABET = BASIC | EXTENSION

# Typographic characters and letters with no Unicode decomposition (Sámi and others), so
# that a name like "Porsáŋgu" keeps its letters instead of turning into question marks.
_REPLACEMENTS: dict[str, str] = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟«»″", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "‹": "<",
    "›": ">",
    "\t": " ",
    "Đ": "D",
    "đ": "d",
    "Ŋ": "N",
    "ŋ": "n",
    "Ŧ": "T",
    "ŧ": "t",
    "Ł": "L",
    "ł": "l",
    "Ð": "D",
    "ð": "d",
    "Þ": "Th",
    "þ": "th",
    "Œ": "OE",
    "œ": "oe",
}

# Unicode categories that add nothing visible of their own: combining marks, format characters.
_INVISIBLE = frozenset({"Mn", "Me", "Cf"})


def is_gsm7(text: str) -> bool:
    """True if every character is in the GSM-7 basic or extension table."""
    return ALPHABET.issuperset(text)


def septet_length(text: str) -> int:
    """Septets the text needs; extension characters count two. Raises ValueError if not GSM-7."""
    if not is_gsm7(text):
        raise ValueError("text is not GSM-7")
    return len(text) + sum(text.count(char) for char in EXTENSION)


def to_gsm7(text: str) -> str:
    """Transliterate to GSM-7: keep what fits, strip diacritics, map typography, else '?'."""
    # NFC first so that a decomposed "á" (a + combining acute) is one character again.
    return "".join(_transliterate(char) for char in unicodedata.normalize("NFC", text))


def truncate_septets(text: str, limit: int) -> str:
    """The longest prefix of a GSM-7 text that fits in `limit` septets."""
    used = 0
    for index, char in enumerate(text):
        used += septet_length(char)
        if used > limit:
            return text[:index]
    return text


def _transliterate(char: str) -> str:
    if char in ALPHABET:
        return char
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    if unicodedata.category(char) in _INVISIBLE:
        # A stray diacritic, a variation selector or a format character (zero-width space).
        return ""
    # NFKD splits off diacritics and also maps compatibility forms: no-break and thin
    # spaces to a space, ligatures to letters, "…" to "...".
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(part for part in decomposed if unicodedata.category(part) not in _INVISIBLE)
    if stripped and is_gsm7(stripped):
        return stripped
    return "?"
