"""The local cache encrypted at rest: its key, and the one-time encryption of a plaintext cache.

The cache (``counter.sqlite3`` with its ``-wal`` and ``-shm``) is a SQLCipher 4 database: every page is
AES-256 encrypted with an HMAC-SHA512, so a copied file shows neither names nor CCCD numbers, phones or
addresses. The key is 32 random bytes given to SQLCipher raw (``x'…'``), which skips its passphrase KDF
(256,000 PBKDF2 rounds a connection); it is kept in the OS keystore, or — where none runs — in ``cache.key``
(0600) beside the cache (``counterapp.store.keystore``). A key file found once a keystore runs is moved into
it and shredded.

A cache made before encryption (plaintext) is encrypted once when it is opened: ``sqlcipher_export`` into a
new file, then two renames (the plaintext aside, the encrypted copy in its place) and the plaintext shredded
with its WAL and shared-memory files. A crash at any step leaves either the plaintext cache or the encrypted
one in place, never neither: ``finish_interrupted`` completes or undoes a half-done swap at the next open.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from counterapp.domain.errors import DomainError
from counterapp.store import keystore

log = logging.getLogger(__name__)

KEY_FILE = "cache.key"
KEY_NAME = "cache-key"
PLAINTEXT_MAGIC = b"SQLite format 3\x00"
ASIDE_SUFFIX = ".plaintext"  # the plaintext cache between the two renames of its encryption
EXPORT_SUFFIX = ".encrypting"  # the encrypted copy being written


class CacheKeyLost(DomainError):
    code = "store.cache_key_lost"


class CacheInUse(DomainError):
    code = "store.cache_in_use"


def is_plaintext(path: Path) -> bool:
    """A plain SQLite file starts with its magic string; a SQLCipher one with 16 random bytes of salt."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == PLAINTEXT_MAGIC
    except FileNotFoundError:
        return False


def key_location(data_dir: Path) -> keystore.Location:
    """Where this data directory's cache key is: in the keystore, or in ``cache.key``."""
    return "file" if (data_dir / KEY_FILE).is_file() else keystore.location()


def cache_key(data_dir: Path, *, create: bool) -> bytes:
    """The cache's key: from the keystore (moving a key file into it first, if one is there), else from the
    key file; a new one if ``create`` (a new or plaintext cache) and none exists. ``CacheKeyLost`` when an
    encrypted cache has no key here (the directory came from another PC or account, or the keystore lost it)."""
    key_file = data_dir / KEY_FILE
    backend = keystore.os_keystore()
    if backend is not None:
        try:
            stored = keystore.get_secret(backend, data_dir, KEY_NAME)
            if stored is None and key_file.is_file():  # a keystore runs now: move the file's key into it
                stored = key_file.read_text(encoding="ascii").strip()
                keystore.set_secret(backend, data_dir, KEY_NAME, stored)
                log.info("the cache key moved from its file into the OS keystore")
            if stored is not None:
                keystore.shred(key_file)  # done, or left by a move interrupted after the keystore kept it
                return bytes.fromhex(stored)
            if create:
                key = secrets.token_bytes(32)
                keystore.set_secret(backend, data_dir, KEY_NAME, key.hex())
                return key
        except keystore.KeystoreError as exc:
            if not key_file.is_file() and not create:
                raise CacheKeyLost(str(exc), hint="unlock the OS keystore (sign in again) and retry") from None
            log.warning("%s: the cache key stays in its file", exc)
    if key_file.is_file():
        return bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    if not create:
        raise CacheKeyLost(
            "the local cache is encrypted and its key is not on this PC",
            hint="a data directory copied from another PC or account cannot be read; enroll this PC again",
        )
    key = secrets.token_bytes(32)
    data_dir.mkdir(parents=True, exist_ok=True)
    keystore.write_private(key_file, key.hex().encode("ascii"))
    return key


def forget(data_dir: Path) -> None:
    """Remove the cache key of a data directory given up before it held anything (a failed enrollment):
    from the keystore and from its file."""
    backend = keystore.os_keystore()
    if backend is not None:
        keystore.delete_secret(backend, data_dir, KEY_NAME)
    keystore.shred(data_dir / KEY_FILE)


def raw_key(key: bytes) -> str:
    """The key as SQLCipher's raw-key literal (quoted by the caller as an identifier: ``"x'…'"``)."""
    return f"x'{key.hex()}'"


def connect(path: Path, key: bytes | None) -> Any:
    """A bare SQLCipher connection (migration, tests, backups), keyed first when ``key`` is given."""
    from sqlcipher3 import dbapi2

    connection = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
    if key is not None:
        connection.execute(f'PRAGMA key = "{raw_key(key)}"')
    return connection


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def finish_interrupted(path: Path) -> None:
    """Complete or undo an encryption a crash interrupted (see the module's docstring)."""
    aside = path.with_name(path.name + ASIDE_SUFFIX)
    export = path.with_name(path.name + EXPORT_SUFFIX)
    if aside.exists():
        if path.exists() and not is_plaintext(path):  # the encrypted copy is in place: only the shred was left
            for stale in [aside, *_sidecars(aside)]:
                keystore.shred(stale)
        else:  # stopped between the two renames: put the plaintext back and start again
            os.replace(aside, path)
    if export.exists():
        keystore.shred(export)


def encrypt_plaintext(path: Path, key: bytes) -> None:
    """Encrypt the plaintext cache at ``path`` in place (once; nothing lost; see the module's docstring)."""
    aside = path.with_name(path.name + ASIDE_SUFFIX)
    export = path.with_name(path.name + EXPORT_SUFFIX)
    # SQLite truncates or deletes the plaintext WAL itself once it is checkpointed, which frees its blocks
    # without overwriting them: a second name for each side file keeps its blocks until they are shredded
    held = []
    for side in _sidecars(path):
        link = side.with_name(side.name + ".shred")
        try:
            link.unlink(missing_ok=True)
            os.link(side, link)
            held.append(link)
        except OSError:  # absent, or a filesystem without hard links: deleted as SQLite deletes it
            pass
    plain = connect(path, None)
    try:
        # exclusive from the first write to the close: another process waits instead of writing into a
        # file about to be replaced (the usual case is the first start after an upgrade, alone)
        plain.execute("PRAGMA locking_mode = EXCLUSIVE")
        plain.execute("BEGIN IMMEDIATE")
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        plain.execute(f'ATTACH DATABASE ? AS encrypted KEY "{raw_key(key)}"', (str(export),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("COMMIT")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    with export.open("rb+") as handle:
        os.fsync(handle.fileno())
    check = connect(export, key)
    try:
        if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise RuntimeError("the encrypted copy of the cache failed its check")
    finally:
        check.close()
    wal = _sidecars(path)[0]
    if wal.is_file() and wal.stat().st_size > 0:  # another process still has the plaintext cache open
        keystore.shred(export)
        for link in held:
            link.unlink()
        raise CacheInUse("the local cache is open in another program", hint="close it and start again")
    for side in _sidecars(path):  # what SQLite left of the plaintext's index (its blocks: ``held``)
        side.unlink(missing_ok=True)
    os.replace(path, aside)
    os.replace(export, path)
    _sync_directory(path.parent)
    for stale in [aside, *_sidecars(aside), *held]:
        keystore.shred(stale)
    log.info("the local cache is now encrypted")


def _sync_directory(directory: Path) -> None:
    """Make the renames durable (POSIX; Windows cannot open a directory and commits renames itself)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
