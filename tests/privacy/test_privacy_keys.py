"""Keys from the settings: configured in production, generated and kept in development."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from app.config import Settings, describe_validation_error
from app.config.sections import AuthSettings, CryptoSettings, SmsSettings
from app.privacy.crypto import KeyConfigError, generate_key
from app.privacy.keys import DEV_KEY_ID, build_cipher, build_hasher

JWT = "x" * 40


def dev_settings(data_dir: Path, **crypto: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        auth=AuthSettings(jwt_secret=SecretStr(JWT)),
        crypto=CryptoSettings.model_validate(crypto),
    )


def test_development_keys_are_generated_once_and_kept(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path)
    cipher, hasher = build_cipher(settings), build_hasher(settings)
    token = cipher.seal("Kari", context="alert:1:identity")
    assert cipher.key_id_of(token) == DEV_KEY_ID

    # A restart reads the same keys: yesterday's values still open, hashes still match.
    again, hasher_again = build_cipher(settings), build_hasher(settings)
    assert again.open(token, context="alert:1:identity") == "Kari"
    assert hasher_again.national_id("24057710035") == hasher.national_id("24057710035")

    stored = json.loads((tmp_path / "dev-secrets.json").read_text())
    assert {"crypto_key_dev1", "crypto_hash_key"} <= set(stored)
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0

    elsewhere = build_hasher(dev_settings(tmp_path / "other"))
    assert elsewhere.national_id("24057710035") != hasher.national_id("24057710035")


def test_configured_keys_are_used_and_old_ones_still_open(tmp_path: Path) -> None:
    old, new, hash_key = generate_key(), generate_key(), generate_key()
    before = build_cipher(dev_settings(tmp_path, keys={"k1": old}, active_key_id="k1"))
    token = before.seal("Kari", context="c")
    rotated = build_cipher(
        dev_settings(tmp_path, keys={"k1": old, "k2": new}, active_key_id="k2", hash_key=hash_key)
    )
    assert rotated.open(token, context="c") == "Kari"
    assert rotated.key_id_of(rotated.seal("Ola", context="c")) == "k2"
    assert not (tmp_path / "dev-secrets.json").exists()


def test_a_single_configured_key_is_the_active_one(tmp_path: Path) -> None:
    cipher = build_cipher(dev_settings(tmp_path, keys={"only": generate_key()}))
    assert cipher.active_key_id == "only"


def test_several_keys_need_an_active_key_id(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        dev_settings(tmp_path, keys={"a": generate_key(), "b": generate_key()})
    assert describe_validation_error(raised.value) == [
        "CRYPTO__ACTIVE_KEY_ID: must be set when CRYPTO__KEYS has more than one key"
    ]


@pytest.mark.parametrize("active", ["c", "dev1"])
def test_the_active_key_id_must_be_a_configured_one(tmp_path: Path, active: str) -> None:
    with pytest.raises(ValidationError, match="CRYPTO__ACTIVE_KEY_ID: must name a key id"):
        dev_settings(tmp_path, keys={"a": generate_key()}, active_key_id=active)


def test_without_keys_the_development_key_may_be_named(tmp_path: Path) -> None:
    assert build_cipher(dev_settings(tmp_path, active_key_id="dev1")).active_key_id == DEV_KEY_ID
    with pytest.raises(ValidationError, match="or be 'dev1'"):
        dev_settings(tmp_path, active_key_id="k9")


def test_a_bad_key_is_named_by_its_id_never_shown(tmp_path: Path) -> None:
    bad = "not-a-key-but-a-secret-value"
    with pytest.raises(ValidationError) as raised:
        dev_settings(tmp_path, keys={"k1": bad}, hash_key=bad)
    assert describe_validation_error(raised.value) == [
        "CRYPTO__KEYS: key id 'k1': a key is 32 bytes as urlsafe base64 (43-44 characters)",
        "CRYPTO__HASH_KEY: a key is 32 bytes as urlsafe base64 (43-44 characters)",
    ]


def test_build_cipher_still_refuses_a_bad_key_without_showing_it(tmp_path: Path) -> None:
    # Settings made with model_construct skip the checks; build_cipher does not trust them.
    bad = "not-a-key-but-a-secret-value"
    settings = Settings.model_construct(
        crypto=CryptoSettings.model_construct(keys={"k1": SecretStr(bad)}, active_key_id=None)
    )
    with pytest.raises(KeyConfigError, match="'k1'") as raised:
        build_cipher(settings)
    assert bad not in str(raised.value)


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CRYPTO__KEYS"):
        Settings(
            environment="production",
            data_dir=tmp_path,
            auth=AuthSettings(jwt_secret=SecretStr(JWT)),
            crypto=CryptoSettings(active_key_id="k1", hash_key=SecretStr(generate_key())),
        )


def test_one_key_needs_no_active_key_id_in_production_either(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",
        data_dir=tmp_path,
        auth=AuthSettings(jwt_secret=SecretStr(JWT)),
        sms=SmsSettings(allow_console_in_production=True),
        crypto=CryptoSettings(
            keys={"k1": SecretStr(generate_key())}, hash_key=SecretStr(generate_key())
        ),
    )
    assert build_cipher(settings).active_key_id == "k1"


def test_production_never_generates_a_key(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",
        data_dir=tmp_path,
        auth=AuthSettings(jwt_secret=SecretStr(JWT)),
        sms=SmsSettings(allow_console_in_production=True),
        crypto=CryptoSettings(
            keys={"k1": SecretStr(generate_key())},
            active_key_id="k1",
            hash_key=SecretStr(generate_key()),
        ),
    )
    assert build_cipher(settings).active_key_id == "k1"
    build_hasher(settings)
    with pytest.raises(ValueError, match="production"):
        settings.dev_secret("anything", generate_key)
    assert not (tmp_path / "dev-secrets.json").exists()


def test_the_request_fingerprint_is_keyed_and_separate_from_national_ids(
    tmp_path: Path,
) -> None:
    hasher = build_hasher(dev_settings(tmp_path))
    other = build_hasher(dev_settings(tmp_path / "other"))
    assert hasher.fingerprint("24057710035") != hasher.national_id("24057710035")
    assert hasher.fingerprint("{}") == hasher.fingerprint("{}") != other.fingerprint("{}")


def test_retired_hash_keys_are_tried_after_the_current_one(tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    before = build_hasher(dev_settings(tmp_path, hash_key=old))
    after = build_hasher(dev_settings(tmp_path, hash_key=new, retired_hash_keys=[old]))
    nid = "24057710035"
    assert after.national_ids(nid) == (after.national_id(nid), before.national_id(nid))
    assert after.fingerprints("x")[1] == before.fingerprint("x")
    assert after.dispatch_incidents("AMK-1")[1] == before.dispatch_incident("AMK-1")
    assert build_hasher(dev_settings(tmp_path, hash_key=new)).national_ids(nid) == (
        after.national_id(nid),
    )


def test_a_bad_retired_hash_key_is_named_never_shown(tmp_path: Path) -> None:
    bad = "not-a-key-but-a-secret-value"
    with pytest.raises(ValidationError) as raised:
        dev_settings(tmp_path, hash_key=generate_key(), retired_hash_keys=[bad])
    assert describe_validation_error(raised.value) == [
        "CRYPTO__RETIRED_HASH_KEYS: key 0: a key is 32 bytes as urlsafe base64 (43-44 characters)"
    ]
    assert bad not in str(raised.value)
