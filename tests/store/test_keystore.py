"""The cache key in the OS keystore, or in a 0600 file where no usable keystore runs; a key file moved into
a keystore that appears later; a cache whose key is gone refuses to open with a plain message."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null
from keyrings.alt.file import PlaintextKeyring

from counterapp.store import cache_key, keystore
from counterapp.store.database import open_store
from counterapp.store.outbox import device_meta
from tests.keystores import MemoryKeyring
from tests.store.crash_worker import prepare


def test_the_cache_key_goes_to_the_keystore_when_one_runs(tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    prepare(tmp_path)
    assert not (tmp_path / cache_key.KEY_FILE).exists()
    entry = (keystore.SERVICE, f"{keystore.keystore_id(tmp_path)}/{cache_key.KEY_NAME}")
    assert len(bytes.fromhex(os_keystore.entries[entry])) == 32
    assert keystore.location() == "keystore" and cache_key.key_location(tmp_path) == "keystore"
    store = open_store(tmp_path)  # opened again with the keystore's key
    try:
        with store.read() as s:
            assert device_meta(s).counter_number == "5"
    finally:
        store.close()


def test_without_a_keystore_the_key_is_a_0600_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keystore.FORCE_ENV)
    previous = keyring.get_keyring()
    try:
        for stand_in in (fail.Keyring(), null.Keyring(), PlaintextKeyring()):  # what headless Linux offers
            keyring.set_keyring(stand_in)
            assert keystore.os_keystore() is None and keystore.location() == "file", stand_in
    finally:
        keyring.set_keyring(previous)
    monkeypatch.setenv(keystore.FORCE_ENV, "file")
    prepare(tmp_path)
    key_file = tmp_path / cache_key.KEY_FILE
    assert len(bytes.fromhex(key_file.read_text(encoding="ascii"))) == 32
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert cache_key.key_location(tmp_path) == "file"


def test_a_key_file_moves_into_a_keystore_that_appears_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare(tmp_path)  # no keystore (the tests' default): the key is in its file
    key = bytes.fromhex((tmp_path / cache_key.KEY_FILE).read_text(encoding="ascii"))
    monkeypatch.delenv(keystore.FORCE_ENV)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        store = open_store(tmp_path)
        try:
            with store.read() as s:
                assert device_meta(s).counter_number == "5"
        finally:
            store.close()
        assert not (tmp_path / cache_key.KEY_FILE).exists()
        assert cache_key.cache_key(tmp_path, create=False) == key
        assert list(backend.entries.values()) == [key.hex()]
    finally:
        keyring.set_keyring(previous)


def test_a_locked_keystore_keeps_the_key_file(tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    os_keystore.locked = True
    prepare(tmp_path)  # the keystore refuses: the new key goes to the file, and the cache still opens
    assert (tmp_path / cache_key.KEY_FILE).is_file() and cache_key.key_location(tmp_path) == "file"


def test_an_encrypted_cache_without_its_key_refuses_to_open(tmp_path: Path, os_keystore: MemoryKeyring) -> None:
    prepare(tmp_path)
    os_keystore.entries.clear()  # another PC, another Windows account, or a keystore wiped
    with pytest.raises(cache_key.CacheKeyLost) as raised:
        open_store(tmp_path)
    assert "enroll" in raised.value.params["hint"]
    os_keystore.locked = True
    with pytest.raises(cache_key.CacheKeyLost, match="refused"):
        open_store(tmp_path)


def test_a_data_directory_keeps_its_keystore_id(tmp_path: Path) -> None:
    first = keystore.keystore_id(tmp_path)
    assert keystore.keystore_id(tmp_path) == first and len(first) == 32
    assert keystore.keystore_id(tmp_path / "other") != first


def test_shred_overwrites_before_deleting(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"Nguyen Van An 001190012345" * 1000)
    keystore.shred(path)
    keystore.shred(path)  # absent: nothing to do
    assert not path.exists()


@pytest.fixture
def undiscovered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process's keyring: no backend chosen yet, no keyring configuration, and discovery (entry
    points, every backend module: 140–220 ms of the start) refused so a test notices if it runs."""
    import keyring.backend
    import keyring.core

    monkeypatch.delenv(keystore.FORCE_ENV)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)

    def no_discovery() -> list[object]:
        raise AssertionError("keyring's backend discovery ran")

    monkeypatch.setattr(keyring.backend, "get_all_keyring", no_discovery)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service is Linux's keystore")
@pytest.mark.usefixtures("undiscovered")
def test_the_secret_service_is_picked_without_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import SecretService

    class Desktop(SecretService.Keyring):
        priority = 5  # as on a desktop with GNOME Keyring or KWallet running

    monkeypatch.setattr(SecretService, "Keyring", Desktop)
    backend = keystore.os_keystore()
    assert isinstance(backend, Desktop)
    assert keyring.get_keyring() is backend  # keyring caches the pick for the rest of the process


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service is Linux's keystore")
@pytest.mark.usefixtures("undiscovered")
def test_without_a_secret_service_the_files_are_used_without_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # a headless PC: no session bus
    assert keystore.os_keystore() is None and keystore.location() == "file"
    assert isinstance(keyring.get_keyring(), fail.Keyring)


@pytest.mark.usefixtures("undiscovered")
def test_keyrings_own_configuration_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keystores.MemoryKeyring")
    assert isinstance(keystore.os_keystore(), MemoryKeyring)
