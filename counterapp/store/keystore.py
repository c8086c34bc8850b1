"""A data directory's secrets in the OS keystore, or in 0600 files beside it where no keystore runs.

The secrets are the local cache's key (``counterapp.store.cache_key``), the device credential and the
export-signing key (``counterapp.sync.credential_store``). They go to the OS keystore through ``keyring``:
Windows Credential Manager (protected by DPAPI with the Windows account), Secret Service (GNOME Keyring,
KWallet) on a Linux desktop, the Keychain on macOS. A headless Linux PC has none: ``keyring`` then offers its
``fail`` or ``null`` backend, or — when ``keyrings.alt`` is installed — a plaintext or passphrase file that
is no better than ours (or asks for a passphrase on a terminal nobody watches). Those are refused and the
secrets stay in 0600 files of the data directory, which ``location`` reports so the window can say so.

Each data directory names its entries with a random id kept in ``keystore-id`` (not a secret): a PC can
hold several data directories (a training one, a demo), and a directory moved on the same account keeps
its keys. ``COUNTERAPP_KEYSTORE=file`` forces the files (the tests set it, so no test writes into a
developer's real keystore; IT can set it to rule the keystore out while troubleshooting).
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "counterapp"
ID_FILE = "keystore-id"
FORCE_ENV = "COUNTERAPP_KEYSTORE"

Location = Literal["keystore", "file"]

# keyring's stand-ins for "no keystore", and keyrings.alt's file backends (a plaintext file, or one
# encrypted with a passphrase typed at a prompt): none is safer than a 0600 file, so none is used.
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer", "keyrings.alt")


class KeystoreError(Exception):
    """The keystore runs but refused a read or a write (locked, access denied); never carries a secret."""


def usable(backend: KeyringBackend) -> bool:
    """A real keystore: not one of the refused stand-ins, and one ``keyring`` itself recommends (priority ≥ 1)."""
    module = type(backend).__module__
    if any(module == refused or module.startswith(refused + ".") for refused in _REFUSED_MODULES):
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:  # a backend whose priority raises is not viable here (keyring's own convention)
        return False


def os_keystore() -> KeyringBackend | None:
    """The OS keystore if a usable one runs here, else None (use the files).

    A chain of several backends is searched for its first usable member, so a Secret Service found beside
    keyrings.alt's plaintext file is still used."""
    if os.environ.get(FORCE_ENV, "").strip().lower() == "file":
        return None
    try:
        from keyring.backends.chainer import ChainerBackend

        backend = _backend()
    except Exception as exc:  # a broken keyring configuration must not stop the counter
        log.warning("the OS keystore could not be loaded (%s): secrets stay in files", type(exc).__name__)
        return None
    candidates = list(backend.backends) if isinstance(backend, ChainerBackend) else [backend]
    return next((candidate for candidate in candidates if usable(candidate)), None)


def _backend() -> KeyringBackend:
    """The process's ``keyring`` backend, without ``keyring.get_keyring()``'s discovery where we can.

    That discovery imports every backend module and scans the installed packages' entry points for
    plugins: 130–320 ms once a process, measured on 2 shared cores (the pick below: 65–80 ms, nearly all of
    it keyring's own import). The order here is keyring's own: a backend
    already set (``keyring.set_keyring``, as the tests and a PC's own code do, or an earlier pick), then
    keyring's configuration (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``), then this platform's keystore
    picked directly — Credential Manager on Windows, the Secret Service on Linux (keyring's other Linux
    backends need dbus-python or PyGObject, which are neither dependencies nor bundled). Anywhere else
    (macOS) keyring discovers as usual. The pick is set with ``keyring.set_keyring``, so keyring caches it
    for the process as ``get_keyring`` would."""
    import keyring
    import keyring.core

    # no public way to ask "set yet?" without discovering (keyring is pinned below 26 in pyproject.toml)
    chosen: KeyringBackend | None = getattr(keyring.core, "_keyring_backend", None)
    if chosen is not None:
        return chosen
    configured = keyring.core.load_env() or keyring.core.load_config()
    if configured is None:
        configured = _platform_keystore()
    if configured is None:
        return keyring.get_keyring()
    keyring.set_keyring(configured)
    return configured


def _platform_keystore() -> KeyringBackend | None:
    """This platform's keystore if it answers, keyring's "none" stand-in if not; None: let keyring look."""
    from keyring.backends import fail

    if sys.platform == "win32":
        from keyring.backends.Windows import WinVaultKeyring

        candidate: KeyringBackend = WinVaultKeyring()
    elif sys.platform.startswith("linux"):
        from keyring.backends.SecretService import Keyring as SecretServiceKeyring

        candidate = SecretServiceKeyring()  # type: ignore[no-untyped-call]
    else:
        return None
    # usable() asks the backend's priority: pywin32-ctypes importable on Windows; on Linux a D-Bus session
    # with a Secret Service running or activatable (a headless PC has none: fail fast, files)
    return candidate if usable(candidate) else fail.Keyring()  # type: ignore[no-untyped-call]


def location() -> Location:
    """Where secrets of a data directory go on this PC now."""
    return "keystore" if os_keystore() is not None else "file"


def backend_name() -> str:
    """The keystore's name for IT (the support bundle, the log), or "file"."""
    backend = os_keystore()
    return "file" if backend is None else f"{type(backend).__module__}.{type(backend).__name__}"


def keystore_id(data_dir: Path) -> str:
    """This data directory's name in the keystore, made on first use."""
    path = data_dir / ID_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    write_private(path, uuid.uuid4().hex.encode("ascii"))
    return path.read_text(encoding="ascii").strip()


def _entry(data_dir: Path, name: str) -> str:
    return f"{keystore_id(data_dir)}/{name}"


def get_secret(backend: KeyringBackend, data_dir: Path, name: str) -> str | None:
    try:
        return backend.get_password(SERVICE, _entry(data_dir, name))
    except Exception as exc:
        raise KeystoreError(f"the OS keystore refused to read {name} ({type(exc).__name__})") from None


def set_secret(backend: KeyringBackend, data_dir: Path, name: str, value: str) -> None:
    """Store and read back: a keystore that accepts a write and loses it must not be trusted with a key."""
    try:
        backend.set_password(SERVICE, _entry(data_dir, name), value)
        stored = backend.get_password(SERVICE, _entry(data_dir, name))
    except Exception as exc:
        raise KeystoreError(f"the OS keystore refused to keep {name} ({type(exc).__name__})") from None
    if stored != value:
        raise KeystoreError(f"the OS keystore did not keep {name}")


def delete_secret(backend: KeyringBackend, data_dir: Path, name: str) -> None:
    try:
        backend.delete_password(SERVICE, _entry(data_dir, name))
    except Exception:  # absent already (PasswordDeleteError) or refused: nothing else to do
        log.info("no %s to delete in the OS keystore", name)


def write_private(path: Path, data: bytes) -> None:
    """Write ``path`` atomically, readable by its owner only (0600 on POSIX; on Windows the data directory
    is the user's own)."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def shred(path: Path) -> None:
    """Overwrite ``path`` with zeros, sync, then delete it. On ext4 or NTFS the zeros land on the same blocks;
    a copy-on-write filesystem (btrfs, ZFS), a snapshot or an SSD's wear levelling may still keep the old
    blocks, which is why the data was worth encrypting in the first place."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    try:
        with path.open("r+b") as handle:
            chunk = b"\0" * (1 << 20)
            left = size
            while left > 0:
                left -= handle.write(chunk[: min(left, len(chunk))])
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:  # e.g. a read-only file: still delete it
        log.warning("could not overwrite %s before deleting it (%s)", path.name, type(exc).__name__)
    path.unlink(missing_ok=True)
