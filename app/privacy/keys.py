"""Builds the field cipher and the keyed hasher from the settings.

Production must configure ``CRYPTO__KEYS``, ``CRYPTO__ACTIVE_KEY_ID`` and ``CRYPTO__HASH_KEY``
(the settings refuse to load otherwise). In development, missing keys are generated once and
kept in ``data_dir/dev-secrets.json``, so data encrypted yesterday still opens today.

The key settings' checks are here too (`key_problems`), where the key format is known; the
entry points hand them to the settings (`app.settings_checks`), which import no domain.
"""

from __future__ import annotations

from app.config import Settings
from app.privacy.crypto import FieldCipher, KeyConfigError, KeyedHasher, decode_key, generate_key

DEV_KEY_ID = "dev1"
_DEV_KEY_SECRET = "crypto_key_dev1"
_DEV_HASH_SECRET = "crypto_hash_key"


def build_cipher(settings: Settings) -> FieldCipher:
    """The cipher for personal data at rest, with every configured key for opening."""
    configured = settings.crypto.keys
    if configured:
        keys = {}
        for key_id, secret in configured.items():
            try:
                keys[key_id] = decode_key(secret.get_secret_value())
            except KeyConfigError as exc:
                # Name the key id, never the key.
                raise KeyConfigError(f"CRYPTO__KEYS[{key_id!r}]: {exc}") from None
        active = settings.crypto.active_key_id
        if active is None and len(keys) == 1:
            active = next(iter(keys))
        if active is None:
            raise KeyConfigError("CRYPTO__ACTIVE_KEY_ID must name one of CRYPTO__KEYS")
        return FieldCipher(keys, active)
    keys = {DEV_KEY_ID: decode_key(settings.dev_secret(_DEV_KEY_SECRET, generate_key))}
    return FieldCipher(keys, settings.crypto.active_key_id or DEV_KEY_ID)


def build_hasher(settings: Settings) -> KeyedHasher:
    """The keyed hasher for national ids and request fingerprints."""
    configured = settings.crypto.hash_key
    text = (
        configured.get_secret_value()
        if configured is not None
        else settings.dev_secret(_DEV_HASH_SECRET, generate_key)
    )
    try:
        key = decode_key(text)
    except KeyConfigError as exc:
        raise KeyConfigError(f"CRYPTO__HASH_KEY: {exc}") from None
    retired = []
    for number, secret in enumerate(settings.crypto.retired_hash_keys):
        try:
            retired.append(decode_key(secret.get_secret_value()))
        except KeyConfigError as exc:
            raise KeyConfigError(f"CRYPTO__RETIRED_HASH_KEYS[{number}]: {exc}") from None
    return KeyedHasher(key, retired=retired)


def key_problems(settings: Settings) -> list[str]:
    """What is wrong with the key settings, one "VARIABLE: reason" line each, naming a key
    by its id and never showing it. Whether production has keys at all is the settings' own
    check."""
    keys, active = settings.crypto.keys, settings.crypto.active_key_id
    problems: list[str] = []
    for key_id, key in keys.items():
        try:
            decode_key(key.get_secret_value())
        except KeyConfigError as exc:  # the message names the format, never the key
            problems.append(f"CRYPTO__KEYS: key id {key_id!r}: {exc}")
    if len(keys) > 1 and active is None:
        problems.append(
            "CRYPTO__ACTIVE_KEY_ID: must be set when CRYPTO__KEYS has more than one key"
        )
    generated = not keys and settings.environment != "production"
    if active is not None and active not in (set(keys) or {DEV_KEY_ID}):
        problems.append(
            "CRYPTO__ACTIVE_KEY_ID: must name a key id of CRYPTO__KEYS"
            + (f" (or be {DEV_KEY_ID!r}, the generated development key)" if generated else "")
        )
    if settings.crypto.hash_key is not None:
        try:
            decode_key(settings.crypto.hash_key.get_secret_value())
        except KeyConfigError as exc:
            problems.append(f"CRYPTO__HASH_KEY: {exc}")
    for number, secret in enumerate(settings.crypto.retired_hash_keys):
        try:
            decode_key(secret.get_secret_value())
        except KeyConfigError as exc:
            problems.append(f"CRYPTO__RETIRED_HASH_KEYS: key {number}: {exc}")
    return problems
