"""Field encryption (AES-256-GCM tokens bound to a context) and keyed hashing (docs/rules.md,
"Privacy at rest")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string

import pytest

from app.privacy.crypto import (
    DecryptionError,
    FieldCipher,
    KeyConfigError,
    KeyedHasher,
    decode_key,
    generate_key,
)

K1 = bytes(range(32))
K2 = bytes(range(100, 132))
CONTEXT = "alert:0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10:person"
OTHER_CONTEXT = "alert:5d1c3f0e-7a4b-4c2d-8e9f-0a1b2c3d4e5f:person"
SECRET = "Ola Nordmann, 01010750160, Storgata 1, 1607 Fredrikstad"
URLSAFE = string.ascii_letters + string.digits + "-_"


def cipher(active: str = "k1", **keys: bytes) -> FieldCipher:
    return FieldCipher(keys or {"k1": K1}, active)


def payload_of(token: str) -> bytes:
    body = token.split(".")[2]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def with_payload(token: str, payload: bytes) -> str:
    header = token.rsplit(".", 1)[0]
    return header + "." + base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


# Round trip and format


@pytest.mark.parametrize("plaintext", [SECRET, "", "Åse Ødegård 🙂", "x" * 5000])
def test_round_trip(plaintext: str) -> None:
    c = cipher()
    assert c.open(c.seal(plaintext, context=CONTEXT), context=CONTEXT) == plaintext


def test_token_format() -> None:
    token = cipher().seal(SECRET, context=CONTEXT)
    assert token.isascii()
    assert re.fullmatch(r"v1\.k1\.[A-Za-z0-9_-]+", token)
    # nonce (12) || ciphertext (as long as the UTF-8 plaintext) || tag (16)
    assert len(payload_of(token)) == 12 + len(SECRET.encode()) + 16


def test_a_token_written_earlier_still_opens() -> None:
    # Stored tokens must keep opening across releases: pins the format and associated data.
    token = "v1.k1.xzcUrBOy-ZCO8zclr0NiO7hBOsM22iUtFVyshbAosuGCBC8CR074ew"
    assert cipher().open(token, context=CONTEXT) == "Ola Nordmann"


def test_token_contains_neither_plaintext_nor_its_base64() -> None:
    token = cipher().seal(SECRET, context=CONTEXT)
    assert SECRET not in token
    assert "01010750160" not in token
    for shift in range(3):  # base64 of the plaintext at every alignment
        data = b"\x00" * shift + SECRET.encode()
        for encoded in (base64.b64encode(data), base64.urlsafe_b64encode(data)):
            assert encoded.decode()[4:-4] not in token


def test_two_seals_of_the_same_value_differ() -> None:
    c = cipher()
    first, second = c.seal(SECRET, context=CONTEXT), c.seal(SECRET, context=CONTEXT)
    assert first != second
    assert payload_of(first)[:12] != payload_of(second)[:12]
    assert c.open(first, context=CONTEXT) == c.open(second, context=CONTEXT) == SECRET


def test_a_context_is_required() -> None:
    with pytest.raises(ValueError, match="context"):
        cipher().seal(SECRET, context="")


# Tampering


def test_changing_any_character_of_the_token_fails() -> None:
    c = cipher(k1=K1, k2=K1)  # same key bytes under two ids: only the header binding stops a swap
    token = c.seal("Ola", context=CONTEXT)
    opened = []
    for i, original in enumerate(token):
        for replacement in URLSAFE + ".=":
            if replacement == original:
                continue
            tampered = token[:i] + replacement + token[i + 1 :]
            try:
                c.open(tampered, context=CONTEXT)
            except DecryptionError:
                continue
            opened.append(tampered)
    assert opened == []


def test_flipping_any_bit_of_nonce_ciphertext_or_tag_fails() -> None:
    c = cipher()
    token = c.seal("Ola", context=CONTEXT)
    payload = payload_of(token)
    for i in range(len(payload)):
        for bit in range(8):
            tampered = bytearray(payload)
            tampered[i] ^= 1 << bit
            with pytest.raises(DecryptionError):
                c.open(with_payload(token, bytes(tampered)), context=CONTEXT)


def test_truncated_or_extended_tokens_fail() -> None:
    c = cipher()
    token = c.seal("Ola", context=CONTEXT)
    for end in range(len(token)):
        with pytest.raises(DecryptionError):
            c.open(token[:end], context=CONTEXT)
    for extra in ("A", "AA", "AAAA", "=", ".", ".A"):
        with pytest.raises(DecryptionError):
            c.open(token + extra, context=CONTEXT)
    with pytest.raises(DecryptionError):
        c.open(with_payload(token, payload_of(token) + b"\x00"), context=CONTEXT)


@pytest.mark.parametrize(
    "context", [OTHER_CONTEXT, CONTEXT.replace(":person", ":place"), CONTEXT + " ", "x"]
)
def test_wrong_context_fails(context: str) -> None:
    c = cipher()
    with pytest.raises(DecryptionError):
        c.open(c.seal(SECRET, context=CONTEXT), context=context)


def test_unknown_key_id_fails() -> None:
    token = cipher("k9", k9=K2).seal(SECRET, context=CONTEXT)
    with pytest.raises(DecryptionError, match="unknown key id 'k9'"):
        cipher().open(token, context=CONTEXT)


def test_same_key_id_with_other_key_bytes_fails() -> None:
    token = cipher(k1=K2).seal(SECRET, context=CONTEXT)
    with pytest.raises(DecryptionError):
        cipher(k1=K1).open(token, context=CONTEXT)


def test_errors_never_carry_plaintext() -> None:
    c = cipher()
    with pytest.raises(DecryptionError) as wrong_context:
        c.open(c.seal(SECRET, context=CONTEXT), context=OTHER_CONTEXT)
    with pytest.raises(DecryptionError) as not_a_token:
        c.open(SECRET, context=CONTEXT)  # a plaintext left in a token column
    with pytest.raises(DecryptionError) as bad_payload:
        c.open("v1.k1." + SECRET.replace(" ", ""), context=CONTEXT)
    for error in (wrong_context, not_a_token, bad_payload):
        assert "Ola" not in str(error.value)
        assert "01010750160" not in str(error.value)
        assert error.value.__cause__ is None
        assert error.value.__suppress_context__ or error.value.__context__ is None


@pytest.mark.parametrize("token", ["", "v1", "v1.k1", "v2.k1.AAAA", "v1..AAAA", "v1.k!.AAAA"])
def test_malformed_tokens_fail(token: str) -> None:
    with pytest.raises(DecryptionError):
        cipher().open(token, context=CONTEXT)
    with pytest.raises(DecryptionError):
        cipher().key_id_of(token)


# Rotation


def test_rotation() -> None:
    old = cipher("k1", k1=K1)
    token = old.seal(SECRET, context=CONTEXT)

    rotating = cipher("k2", k1=K1, k2=K2)
    assert rotating.key_id_of(token) == "k1"
    assert rotating.needs_rotation(token)
    assert rotating.open(token, context=CONTEXT) == SECRET

    moved = rotating.reseal(token, context=CONTEXT)
    assert rotating.key_id_of(moved) == "k2"
    assert not rotating.needs_rotation(moved)

    retired = cipher("k2", k2=K2)  # k1 removed once everything is resealed
    assert retired.open(moved, context=CONTEXT) == SECRET
    with pytest.raises(DecryptionError):
        retired.open(token, context=CONTEXT)


def test_reseal_under_the_active_key_keeps_the_token() -> None:
    c = cipher("k2", k1=K1, k2=K2)
    token = c.seal(SECRET, context=CONTEXT)
    assert c.reseal(token, context=CONTEXT) == token


@pytest.mark.parametrize("active", ["k1", "k2"])
def test_reseal_checks_the_context(active: str) -> None:
    token = cipher("k1", k1=K1).seal(SECRET, context=CONTEXT)
    with pytest.raises(DecryptionError):
        cipher(active, k1=K1, k2=K2).reseal(token, context=OTHER_CONTEXT)


# Key configuration


@pytest.mark.parametrize("size", [0, 16, 24, 31, 33, 64])
def test_keys_must_be_32_bytes(size: int) -> None:
    with pytest.raises(KeyConfigError, match="32 bytes"):
        FieldCipher({"k1": bytes(size)}, "k1")


@pytest.mark.parametrize("key_id", ["", "a" * 17, "k.1", "k 1", "k1\n", "nøkkel", "k/1"])
def test_key_ids_are_short_and_plain(key_id: str) -> None:
    with pytest.raises(KeyConfigError, match="key ids"):
        FieldCipher({key_id: K1}, key_id)


def test_longest_key_id_with_every_kind_of_character() -> None:
    key_id = "Key_2026-11-abcZ"
    c = FieldCipher({key_id: K1}, key_id)
    token = c.seal(SECRET, context=CONTEXT)
    assert c.key_id_of(token) == key_id
    assert c.open(token, context=CONTEXT) == SECRET


def test_the_active_key_must_be_configured() -> None:
    with pytest.raises(KeyConfigError, match="active"):
        FieldCipher({"k1": K1}, "k2")
    with pytest.raises(KeyConfigError, match="at least one"):
        FieldCipher({}, "k1")


def test_generated_keys() -> None:
    first, second = generate_key(), generate_key()
    assert first != second
    assert len(decode_key(first)) == 32
    assert decode_key(first) != decode_key(second)
    assert decode_key(f"  {first.rstrip('=')}\n") == decode_key(first)
    c = FieldCipher({"k1": decode_key(first)}, "k1")
    assert c.open(c.seal(SECRET, context=CONTEXT), context=CONTEXT) == SECRET


def test_decode_key_of_a_known_key() -> None:
    assert decode_key(base64.urlsafe_b64encode(K2).decode()) == K2


@pytest.mark.parametrize(
    "text",
    [
        "",
        base64.urlsafe_b64encode(bytes(31)).decode(),
        base64.urlsafe_b64encode(bytes(33)).decode(),
        "+" * 43 + "=",  # the standard alphabet, not urlsafe
        "A" * 42 + "B=",  # spare bits set: not canonical
    ],
)
def test_decode_key_refuses(text: str) -> None:
    with pytest.raises(KeyConfigError):
        decode_key(text)


# Keyed hashing


def test_hasher_known_answer() -> None:
    # Stored hashes must stay comparable across releases.
    expected = "7b17ee047674f599280eaa7344e73ccb32d8d529823771973af0652293da7bcb"
    assert KeyedHasher(K1).national_id("01010750160") == expected
    reference = hmac.new(K1, b"national_id\x0001010750160", hashlib.sha256).hexdigest()
    assert expected == reference


def test_hasher_is_stable_and_keyed() -> None:
    one, same, other = KeyedHasher(K1), KeyedHasher(bytes(K1)), KeyedHasher(K2)
    value = "23119912326"
    assert one.national_id(value) == one.national_id(value) == same.national_id(value)
    assert other.national_id(value) != one.national_id(value)
    assert one.national_id("01010750160") != one.national_id(value)
    assert re.fullmatch(r"[0-9a-f]{64}", one.national_id(value))
    assert value not in one.national_id(value)


def test_hasher_is_domain_separated() -> None:
    plain = hmac.new(K1, b"01010750160", hashlib.sha256).hexdigest()
    assert KeyedHasher(K1).national_id("01010750160") != plain


@pytest.mark.parametrize(
    "value", ["", "0101075016", "010107501600", "010107 50160", "０１０１０７５０１６０"]
)
def test_hasher_wants_a_normalised_national_id(value: str) -> None:
    with pytest.raises(ValueError, match="11 digits"):
        KeyedHasher(K1).national_id(value)


def test_hasher_key_must_be_long_enough() -> None:
    with pytest.raises(KeyConfigError):
        KeyedHasher(bytes(31))
