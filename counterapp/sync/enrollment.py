"""Enrolling a counter's data directory with a server, and keeping its credential.

The credential is kept in ``sync-credential.json`` in the data directory, readable by its owner only
(mode 0600 on POSIX; on Windows the data directory is already per-user). DESIGN.md asks for the OS
keystore; no keystore package is installed here, so the file is the one place to change when it is
(README, design section). The file never holds personal data.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import httpx2

from counterapp.domain.errors import DomainError
from counterapp.protocol.client import ServerClient, enroll
from counterapp.services import device as device_service
from counterapp.store.database import Store
from counterapp.store.outbox import device_meta
from counterapp.store.sync_models import DeviceMetaRow

CREDENTIAL_FILE = "sync-credential.json"


class AlreadyEnrolled(DomainError):
    code = "sync.already_enrolled"


class NotEnrolled(DomainError):
    code = "sync.not_enrolled"


class NotACounter(DomainError):
    code = "sync.not_a_counter"


class AgencyMismatch(DomainError):
    code = "sync.agency_mismatch"


@dataclass(frozen=True)
class Credential:
    server_url: str
    device_id: str
    credential: str
    centre_id: str
    agency_code: str


def credential_path(data_dir: Path) -> Path:
    return data_dir / CREDENTIAL_FILE


def load_credential(data_dir: Path) -> Credential:
    path = credential_path(data_dir)
    if not path.is_file():
        raise NotEnrolled("this data directory is not enrolled with a server", hint="run 'counterapp enroll'")
    return Credential(**json.loads(path.read_text(encoding="utf-8")))


def save_credential(data_dir: Path, credential: Credential) -> None:
    path = credential_path(data_dir)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(credential), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def enroll_store(
    store: Store, data_dir: Path, server_url: str, code: str, *, now: datetime, http: httpx2.Client | None = None
) -> Credential:
    """Trade ``code`` for this counter's identity. A new data directory takes the server's device id,
    centre and counter; one that already worked standalone keeps its ops (they carry no device id) and
    takes the server's id, if it is of the same agency. Enrolling twice is refused."""
    if credential_path(data_dir).exists():
        raise AlreadyEnrolled("this data directory is already enrolled")
    result = enroll(server_url, code, http=http)
    if result.kind != "counter" or result.counter_number is None:
        raise NotACounter(f"the code is for a {result.kind} device, not a counter")
    with store.write() as session:
        meta = session.get(DeviceMetaRow, 1)
        if meta is None:
            device_service.init_device(session, agency_code=result.agency_code, counter_number=result.counter_number,
                                       now=now, device_id=result.device_id)  # fmt: skip
        else:
            if meta.agency_code != result.agency_code:
                raise AgencyMismatch("this data directory belongs to another agency", agency=meta.agency_code)
            device_meta(session).device_id = result.device_id
    credential = Credential(server_url.rstrip("/"), result.device_id, result.credential, result.centre_id,
                            result.agency_code)  # fmt: skip
    save_credential(data_dir, credential)
    return credential


def client_for(credential: Credential, *, http: httpx2.Client | None = None) -> ServerClient:
    return ServerClient(credential.server_url, credential.device_id, credential.credential, http=http)
