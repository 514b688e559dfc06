"""Field encryption and keyed hashing of personal data at rest (docs/rules.md, "Privacy at
rest").

A sealed value is an ASCII token ``v1.<key id>.<urlsafe base64 of nonce || ciphertext>``:
AES-256-GCM with a random 96-bit nonce per value. The caller's context (for example
``alert:<uuid>:person``) is authenticated with it, so a token copied to another row or
column does not open. Keys carry ids so they can be rotated: old keys stay configured for
opening until every token is resealed under the active one.

Errors never carry plaintext, keys or the token itself (a token column may by mistake hold a
plaintext value).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
_VERSION = "v1"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
_B64 = re.compile(r"[A-Za-z0-9_-]+")
_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{43}=?")
_TAG_BYTES = 16


class DecryptionError(Exception):
    """A token does not open: tampered, malformed, wrong context or unknown key."""


class KeyConfigError(ValueError):
    """Keys or key ids that cannot be used."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict: only the canonical unpadded encoding decodes, so no two tokens mean the same."""
    if not _B64.fullmatch(text):
        raise DecryptionError("token payload is not urlsafe base64")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("token payload is not urlsafe base64") from None
    if _b64encode(data) != text:
        raise DecryptionError("token payload is not canonical base64")
    return data


def _associated_data(key_id: str, context: str) -> bytes:
    # The header is bound too, so a token's version and key id cannot be swapped. Neither
    # can contain a dot, so header and context cannot run into each other.
    return f"{_VERSION}.{key_id}.{context}".encode()


class FieldCipher:
    """Seals and opens single values under named AES-256-GCM keys."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        if not keys:
            raise KeyConfigError("at least one key is needed")
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise KeyConfigError("key ids are 1-16 characters of A-Z a-z 0-9 _ -")
            if len(key) != KEY_BYTES:
                raise KeyConfigError(f"key {key_id!r} must be {KEY_BYTES} bytes")
        if active_key_id not in keys:
            raise KeyConfigError("the active key id is not among the keys")
        self._aead = MappingProxyType({kid: AESGCM(key) for kid, key in keys.items()})
        self._active = active_key_id

    @property
    def active_key_id(self) -> str:
        return self._active

    @property
    def active_prefix(self) -> str:
        """How every token sealed under the active key begins: a query finds the tokens to
        rotate by it without opening any."""
        return f"{_VERSION}.{self._active}."

    def seal(self, plaintext: str, *, context: str) -> str:
        """Encrypt `plaintext` under the active key, bound to `context`."""
        if not context:
            raise ValueError("a context is required, so a token cannot be moved between rows")
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead[self._active].encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(self._active, context)
        )
        return f"{_VERSION}.{self._active}.{_b64encode(nonce + sealed)}"

    def open(self, token: str, *, context: str) -> str:
        """Decrypt a token sealed with the same `context`; DecryptionError otherwise."""
        key_id, payload = self._parse(token)
        aead = self._aead.get(key_id)
        if aead is None:
            raise DecryptionError(f"unknown key id {key_id!r}")
        data = _b64decode(payload)
        if len(data) < NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("token is too short")
        try:
            plain = aead.decrypt(
                data[:NONCE_BYTES], data[NONCE_BYTES:], _associated_data(key_id, context)
            )
            return plain.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise DecryptionError("token does not open: tampered, or another context") from None

    def key_id_of(self, token: str) -> str:
        """The id of the key a token was sealed with (the token is not opened)."""
        return self._parse(token)[0]

    def needs_rotation(self, token: str) -> bool:
        """True when a token is not sealed under the active key."""
        return self.key_id_of(token) != self._active

    def reseal(self, token: str, *, context: str) -> str:
        """The value sealed under the active key; a token already under it is returned as is.

        The token is opened either way, so a tampered or misplaced token fails here too.
        """
        plaintext = self.open(token, context=context)
        if not self.needs_rotation(token):
            return token
        return self.seal(plaintext, context=context)

    @staticmethod
    def _parse(token: str) -> tuple[str, str]:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION or not _KEY_ID.fullmatch(parts[1]):
            raise DecryptionError("not a v1 token")
        return parts[1], parts[2]


class KeyedHasher:
    """Keyed hashes, so the same person is recognised without decrypting anything.

    A plain hash of an 11-digit national id can be reversed by trying every number; the
    HMAC key makes that impossible without the key.
    """

    def __init__(self, key: bytes, *, retired: Sequence[bytes] = ()) -> None:
        for k in (key, *retired):
            if len(k) < KEY_BYTES:
                raise KeyConfigError(f"the hashing key must be at least {KEY_BYTES} bytes")
        self._key = key
        self._retired = tuple(retired)

    @property
    def retired(self) -> tuple[KeyedHasher, ...]:
        """A hasher per retired key (docs/rules.md, "Key rotation"): values hashed before the
        hash key was rotated, and not re-hashed, are found under these."""
        return tuple(KeyedHasher(k) for k in self._retired)

    def national_ids(self, value: str) -> tuple[str, ...]:
        """The national id's hash under the current key, then under each retired key: every
        hash a stored row about the person may carry."""
        return tuple(h.national_id(value) for h in (self, *self.retired))

    def dispatch_incidents(self, value: str) -> tuple[str, ...]:
        """As :meth:`national_ids`, for a dispatch incident id."""
        return tuple(h.dispatch_incident(value) for h in (self, *self.retired))

    def fingerprints(self, content: str) -> tuple[str, ...]:
        """As :meth:`national_ids`, for a request's content: a retry sent after a rotation of
        the hash key is still recognised while the old key is kept as retired."""
        return tuple(h.fingerprint(content) for h in (self, *self.retired))

    def national_id(self, value: str) -> str:
        """Hex HMAC-SHA256 of a normalised national id (11 digits, no spaces)."""
        if len(value) != 11 or not (value.isascii() and value.isdigit()):
            raise ValueError("expects a normalised national id of 11 digits")
        return self._hash(b"national_id", value)

    def dispatch_incident(self, value: str) -> str:
        """Hex HMAC-SHA256 of a dispatch incident id, exactly as sent: the same id from the
        same client finds the same alert, and the id is not kept in plain text."""
        return self._hash(b"dispatch_incident", value)

    def fingerprint(self, content: str) -> str:
        """Hex HMAC-SHA256 of a request's canonical content, to recognise a retry.

        Keyed because the content holds personal data that a plain hash would let anyone
        confirm by guessing it.
        """
        return self._hash(b"request_fingerprint", content)

    def _hash(self, domain: bytes, value: str) -> str:
        # Domain separation: a hash of one kind of value never equals a hash of another.
        message = domain + b"\x00" + value.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def generate_key() -> str:
    """A new random 32-byte key as urlsafe base64, for configuration."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def decode_key(text: str) -> bytes:
    """The 32 key bytes of a key written by :func:`generate_key` (padding optional)."""
    text = text.strip()
    if not _KEY_TEXT.fullmatch(text):
        raise KeyConfigError(f"a key is {KEY_BYTES} bytes as urlsafe base64 (43-44 characters)")
    body = text.rstrip("=")
    key = base64.urlsafe_b64decode(body + "=")
    # The last character carries two spare bits: only the canonical spelling is a key.
    if _b64encode(key) != body:
        raise KeyConfigError("a key must be canonical urlsafe base64")
    return key


def same_text(expected: str, given: str) -> bool:
    """`hmac.compare_digest` for text a client sent: any characters (it refuses non-ASCII
    strings with a TypeError), compared as UTF-8 in constant time."""
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")
    )
