"""Where a counter's credential lives: its secrets in the OS keystore, the rest in ``sync-credential.json``.

The secrets are the device credential (the bearer token the server knows this counter by) and the Ed25519
private key that signs its exports. Where a usable OS keystore runs (``counterapp.store.keystore``) they are
kept there and the file holds only what is not secret — the server's address, the device id, the centre and
the agency — with ``"secrets": "keystore"``. Where none runs (headless Linux) the file holds them too, mode
0600, as before the keystore; ``secrets_location`` says which, so the window can tell IT.

A file with its secrets in it is moved into the keystore the first time it is read on a PC where a keystore
runs: the keystore keeps them (read back), then the new file replaces the old one, which is shredded. A crash
between those steps leaves ``sync-credential.json.old``, shredded at the next read.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from counterapp.domain.errors import DomainError
from counterapp.store import cache_key, keystore

log = logging.getLogger(__name__)

CREDENTIAL_FILE = "sync-credential.json"
SECRET_FIELDS = {"credential": "device-credential", "signing_key": "signing-key"}  # field → keystore entry
IN_KEYSTORE = "keystore"


class CredentialUnavailable(DomainError):
    code = "sync.credential_unavailable"


def credential_path(data_dir: Path) -> Path:
    return data_dir / CREDENTIAL_FILE


def _write(data_dir: Path, fields: dict[str, Any]) -> None:
    """Replace the file; the old one (which may hold secrets) is shredded, not just unlinked."""
    path = credential_path(data_dir)
    old = path.with_name(path.name + ".old")
    new = path.with_name(path.name + ".new")
    keystore.write_private(new, json.dumps(fields).encode("utf-8"))
    if path.exists():
        os.replace(path, old)
    os.replace(new, path)
    keystore.shred(old)


def load_fields(data_dir: Path) -> dict[str, Any] | None:
    """The credential's fields with its secrets, wherever they are kept; None if the directory has none.
    Moves secrets found in the file into the keystore when one runs."""
    path = credential_path(data_dir)
    old = path.with_name(path.name + ".old")
    if not path.is_file():
        if not old.is_file():
            return None
        os.replace(old, path)  # a crash between the two renames of ``_write``: the old file is still right
    keystore.shred(old)  # left by a crash after a move
    fields: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if fields.get("secrets") == IN_KEYSTORE:
        backend = keystore.os_keystore()
        if backend is None:
            raise CredentialUnavailable(
                "this counter's credential is in the OS keystore, which does not run now",
                hint="sign in to the desktop session that unlocks the keystore, or enroll this PC again",
            )
        try:
            secrets = {field: keystore.get_secret(backend, data_dir, entry) for field, entry in SECRET_FIELDS.items()}
        except keystore.KeystoreError as exc:
            raise CredentialUnavailable(str(exc), hint="unlock the OS keystore and retry") from None
        if secrets["credential"] is None:
            raise CredentialUnavailable(
                "this counter's credential is missing from the OS keystore",
                hint="enroll this PC again (Re-enroll in the admin menu, or 'counterapp enroll')",
            )
        del fields["secrets"]
        return fields | secrets
    if "credential" in fields:
        backend = keystore.os_keystore()
        if backend is not None:
            _move_into(backend, data_dir, fields)
    return fields


def _move_into(backend: Any, data_dir: Path, fields: dict[str, Any]) -> None:
    try:
        _keep_secrets(backend, data_dir, fields)
    except keystore.KeystoreError as exc:
        log.warning("%s: the credential stays in its file", exc)
        return
    _write(data_dir, _public(fields))
    log.info("the device credential moved from its file into the OS keystore")


def _keep_secrets(backend: Any, data_dir: Path, fields: dict[str, Any]) -> None:
    for field, entry in SECRET_FIELDS.items():
        if fields.get(field) is None:
            keystore.delete_secret(backend, data_dir, entry)
        else:
            keystore.set_secret(backend, data_dir, entry, fields[field])


def _public(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name not in SECRET_FIELDS} | {"secrets": IN_KEYSTORE}


def save_fields(data_dir: Path, fields: dict[str, Any]) -> None:
    """Keep the credential: secrets in the keystore when one runs (else in the 0600 file with the rest)."""
    backend = keystore.os_keystore()
    if backend is not None:
        try:
            _keep_secrets(backend, data_dir, fields)
        except keystore.KeystoreError as exc:
            log.warning("%s: the credential is kept in its file", exc)
        else:
            _write(data_dir, _public(fields))
            return
    _write(data_dir, fields)


def forget(data_dir: Path) -> None:
    """Remove the credential's secrets from the keystore and shred its file (re-enrolling a PC)."""
    backend = keystore.os_keystore()
    if backend is not None:
        for entry in SECRET_FIELDS.values():
            keystore.delete_secret(backend, data_dir, entry)
    keystore.shred(credential_path(data_dir))


def secrets_location(data_dir: Path) -> keystore.Location:
    """ "file" when any secret of this data directory is in a file (no keystore runs, or it refused them):
    the cache key, or the credential. The status bar says so."""
    if cache_key.key_location(data_dir) == "file":
        return "file"
    path = credential_path(data_dir)
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return "keystore"
    return "file" if "credential" in fields else "keystore"
