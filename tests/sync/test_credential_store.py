"""The device credential and the export-signing key: in the OS keystore when one runs (the file keeps only
what is not secret), in the 0600 file where none runs, moved from the file into a keystore that appears."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import keyring
import pytest

from counterapp.protocol import device_key
from counterapp.store import keystore
from counterapp.sync import credential_store
from counterapp.sync.enrollment import Credential, NotEnrolled, load_credential, save_credential
from tests.keystores import MemoryKeyring

SECRET = "dev-credential-7Qx2"


def _credential() -> Credential:
    return Credential("https://hcc.example", "dev-1", SECRET, "centre-1", "000.00.01.H26",
                      device_key.new_private_key())  # fmt: skip


def _file(data_dir: Path) -> dict[str, str]:
    fields: dict[str, str] = json.loads(credential_store.credential_path(data_dir).read_text(encoding="utf-8"))
    return fields


def test_with_a_keystore_the_file_holds_nothing_secret(tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    credential = _credential()
    save_credential(tmp_path, credential)
    assert load_credential(tmp_path) == credential
    assert _file(tmp_path) == {"server_url": "https://hcc.example", "device_id": "dev-1", "centre_id": "centre-1",
                               "agency_code": "000.00.01.H26", "secrets": "keystore"}  # fmt: skip
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert SECRET.encode() not in raw and str(credential.signing_key).encode() not in raw
    assert sorted(os_keystore.entries.values()) == sorted([SECRET, str(credential.signing_key)])
    assert credential_store.secrets_location(tmp_path) == "keystore"


def test_without_a_keystore_the_credential_stays_in_a_0600_file(tmp_path: Path) -> None:
    credential = _credential()
    save_credential(tmp_path, credential)
    assert load_credential(tmp_path) == credential
    assert _file(tmp_path)["credential"] == SECRET
    if os.name == "posix":
        assert stat.S_IMODE(credential_store.credential_path(tmp_path).stat().st_mode) == 0o600
    assert credential_store.secrets_location(tmp_path) == "file"
    with pytest.raises(NotEnrolled):
        load_credential(tmp_path / "elsewhere")


def test_a_credential_file_moves_into_a_keystore_that_appears(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credential = _credential()
    save_credential(tmp_path, credential)  # written by a release (or a PC) without a keystore
    monkeypatch.delenv(keystore.FORCE_ENV)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        assert load_credential(tmp_path) == credential  # the first read moves the secrets
        assert "credential" not in _file(tmp_path) and "signing_key" not in _file(tmp_path)
        assert SECRET in backend.entries.values()
        assert not any(p.name.endswith((".old", ".new")) for p in tmp_path.iterdir())
        assert load_credential(tmp_path) == credential
    finally:
        keyring.set_keyring(previous)


def test_a_credential_enrolled_before_device_keys_has_no_signing_key(
    tmp_path: Path, os_keystore: MemoryKeyring
) -> None:
    credential = Credential("https://hcc.example", "dev-1", SECRET, "centre-1", "000.00.01.H26")
    save_credential(tmp_path, credential)
    assert load_credential(tmp_path).signing_key is None
    assert list(os_keystore.entries.values()) == [SECRET]


def test_a_keystore_that_is_gone_or_wiped_says_what_to_do(tmp_path: Path, os_keystore: MemoryKeyring,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    save_credential(tmp_path, _credential())
    os_keystore.entries.clear()
    with pytest.raises(credential_store.CredentialUnavailable) as raised:
        load_credential(tmp_path)
    assert "enroll" in raised.value.params["hint"]
    monkeypatch.setenv(keystore.FORCE_ENV, "file")
    with pytest.raises(credential_store.CredentialUnavailable, match="does not run now"):
        load_credential(tmp_path)


def test_a_locked_keystore_keeps_a_new_credential_in_the_file(tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    os_keystore.locked = True
    save_credential(tmp_path, _credential())
    assert _file(tmp_path)["credential"] == SECRET
    assert load_credential(tmp_path).credential == SECRET  # still locked: the move waits for another read


def test_a_crash_between_the_two_renames_keeps_the_old_file(tmp_path: Path) -> None:
    credential = _credential()
    save_credential(tmp_path, credential)
    path = credential_store.credential_path(tmp_path)
    path.rename(path.with_name(path.name + ".old"))
    assert load_credential(tmp_path) == credential


def test_forget_removes_the_secrets(tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    save_credential(tmp_path, _credential())
    credential_store.forget(tmp_path)
    assert os_keystore.entries == {} and not credential_store.credential_path(tmp_path).exists()
