"""Enrolling a counter's data directory with a server, and keeping its credential.

The credential's secrets (the device credential and the counter's Ed25519 private key) are kept in the OS
keystore where one runs, the rest in ``sync-credential.json`` in the data directory; where none runs the
file holds everything, readable by its owner only (mode 0600 on POSIX; on Windows the data directory is
already per-user). ``counterapp.sync.credential_store`` decides and moves a file's secrets into a keystore
that appears later. The file never holds personal data.

The private key (``signing_key``) signs the counter's outbox exports
(``counterapp.protocol.export_file``); the server only ever gets the public key: at enrollment, or — for a
counter enrolled before device keys — at its next sync hello (``ensure_device_key``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import httpx2
from sqlalchemy import func, select

from counterapp.domain.errors import DomainError
from counterapp.protocol import device_key
from counterapp.protocol.client import Refused, ServerClient, enroll
from counterapp.services import device as device_service
from counterapp.store.database import Store
from counterapp.store.outbox import device_meta
from counterapp.store.sync_models import DeviceMetaRow, OutboxRow
from counterapp.sync import credential_store
from counterapp.sync.credential_store import CREDENTIAL_FILE as CREDENTIAL_FILE  # re-exported for callers
from counterapp.sync.credential_store import credential_path as credential_path

log = logging.getLogger(__name__)


class AlreadyEnrolled(DomainError):
    code = "sync.already_enrolled"


class NotEnrolled(DomainError):
    code = "sync.not_enrolled"


class NotACounter(DomainError):
    code = "sync.not_a_counter"


class AgencyMismatch(DomainError):
    code = "sync.agency_mismatch"


class SequenceTaken(DomainError):
    """The directory holds ops numbered where the device's earlier directory already pushed (a code
    reissued for a device that synced): enrolled, it would be refused at its first push."""

    code = "sync.sequence_taken"


@dataclass(frozen=True)
class Credential:
    server_url: str
    device_id: str
    credential: str
    centre_id: str
    agency_code: str
    signing_key: str | None = None  # Ed25519 private key (base64url); None: enrolled before device keys


class NoSigningKey(DomainError):
    code = "sync.no_signing_key"


def load_credential(data_dir: Path) -> Credential:
    fields = credential_store.load_fields(data_dir)
    if fields is None:
        raise NotEnrolled("this data directory is not enrolled with a server", hint="run 'counterapp enroll'")
    return Credential(**fields)


def save_credential(data_dir: Path, credential: Credential) -> None:
    credential_store.save_fields(data_dir, asdict(credential))


def enroll_store(
    store: Store, data_dir: Path, server_url: str, code: str, *, now: datetime, http: httpx2.Client | None = None
) -> Credential:
    """Trade ``code`` for this counter's identity. A new data directory takes the server's device id,
    centre and counter; one that already worked standalone keeps its ops (they carry no device id) and
    takes the server's id, if it is of the same agency. Enrolling twice is refused.

    The device may have synced before (a code reissued for a replaced PC): a directory without ops numbers
    its first op after the server's watermark, so its pushes continue the device's sequence. A directory
    that holds ops tells the server where they start, and the server refuses the code (unspent) when the
    device already pushed that far (``SequenceTaken``): enrolled, they would be refused as a regressed
    client and the counter would stop syncing."""
    if credential_path(data_dir).exists():
        raise AlreadyEnrolled("this data directory is already enrolled")
    with store.read() as session:
        first_seq = session.scalar(select(func.min(OutboxRow.client_seq)))
    signing_key = device_key.new_private_key()
    try:
        result = enroll(server_url, code, http=http, public_key=device_key.public_key_of(signing_key),
                        first_client_seq=first_seq)  # fmt: skip
    except Refused as exc:
        if exc.code == "enrollment.sequence_taken":
            raise _sequence_taken() from None
        raise
    if result.kind != "counter" or result.counter_number is None:
        raise NotACounter(f"the code is for a {result.kind} device, not a counter")
    with store.write() as session:
        meta = session.get(DeviceMetaRow, 1)
        if meta is None:
            device_service.init_device(session, agency_code=result.agency_code, counter_number=result.counter_number,
                                       now=now, device_id=result.device_id)  # fmt: skip
            meta = device_meta(session)
        elif meta.agency_code != result.agency_code:
            raise AgencyMismatch("this data directory belongs to another agency", agency=meta.agency_code)
        if first_seq is not None and first_seq <= result.last_client_seq:  # the server did not check (older)
            raise _sequence_taken()
        meta.device_id = result.device_id
        if session.scalar(select(func.count()).select_from(OutboxRow)) == 0:
            # Continue the device's sequence: the server holds its ops up to the watermark under these
            # numbers, and takes the next one only (a gap is refused, a repeat is a regressed client).
            meta.last_client_seq = max(meta.last_client_seq, result.last_client_seq)
    credential = Credential(server_url.rstrip("/"), result.device_id, result.credential, result.centre_id,
                            result.agency_code, signing_key)  # fmt: skip
    save_credential(data_dir, credential)
    return credential


def _sequence_taken() -> SequenceTaken:
    return SequenceTaken(
        "this data directory already holds work numbered where the device's old PC already synced, so the "
        "server would refuse it",
        hint="enroll it with a new device's code (counterapp-server admin create-device), not a reissued one",
    )


def signing_key_of(credential: Credential) -> str:
    """The counter's private key for signing an export; ``NoSigningKey`` for a counter enrolled before
    device keys that has not synced since (the server would have no public key to verify it with)."""
    if credential.signing_key is None:
        raise NoSigningKey(
            "this counter has no signing key yet: it gets one at its next sync with the server",
            hint="run 'counterapp sync' once while the server is reachable, or enroll the counter again",
        )
    return credential.signing_key


def ensure_device_key(data_dir: Path, client: ServerClient, held: str | None) -> str | None:
    """After a sync hello: make sure the server holds this counter's public key (``held`` is what the hello
    answered). A counter enrolled before device keys makes its key pair now, keeps the private key with its
    credential (keystore or file) and registers the public key. Returns the public key it registered, if it did.

    Does nothing when the data directory holds no credential of ``client``'s device (tests' stand-ins).
    A server holding *another* key (this data directory restored from an older backup, or a second
    install) is logged: its exports would be refused until the counter is enrolled again."""
    path = credential_path(data_dir)
    if not path.is_file():
        return None
    credential = load_credential(data_dir)
    if credential.device_id != client.device_id:
        return None
    if credential.signing_key is None:
        new_key = device_key.new_private_key()  # ~0.1 ms: the file is read again just before it is written,
        credential = load_credential(data_dir)  # so a second process (GUI and CLI) rarely makes its own
        if credential.signing_key is None:
            credential = replace(credential, signing_key=new_key)
            save_credential(data_dir, credential)
    assert credential.signing_key is not None
    public_key = device_key.public_key_of(credential.signing_key)
    if held == public_key:
        return None
    if held is not None:
        log.warning("the server holds another public key for device %s: its exports would be refused; "
                    "enroll the counter again", credential.device_id)  # fmt: skip
        return None
    try:
        client.register_key(public_key)
    except Refused as exc:
        log.warning("device %s could not register its public key (%s)", credential.device_id, exc.code)
        return None
    log.info("device %s registered its public key", credential.device_id)
    return public_key


def client_for(credential: Credential, *, http: httpx2.Client | None = None) -> ServerClient:
    return ServerClient(credential.server_url, credential.device_id, credential.credential, http=http)
