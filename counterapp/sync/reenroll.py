"""Re-enrolling a counter PC (it replaces another counter's PC, or moves to another counter): an admin's action
that never loses unsent work. Qt-free; the window's dialog (``gui.reenroll_dialog``) runs these off the GUI
thread, in this order:

1. ``unsent(store)`` — the ops not yet on the server;
2. ``push_unsent(store, data_dir)`` — try to send them now (a hello, then the outbox); what is still
   pending afterwards (server away, sync blocked) must be…
3. ``export_pending`` (``sync.outbox_export``) — …written to a signed file for ``counterapp-server import``;
4. ``reenroll(...)`` — refuses (``UnsentWork``) while an op is neither on the server nor in that file, then
   enrolls a **new** data directory beside the old one with the new code (``firstrun.enroll_counter``: the
   new identity starts with an empty outbox, its own leases and cursors), copies the printers, and makes it
   this PC's counter. The old directory is left exactly as it was: nothing is deleted, IT removes it once
   its work is on the server (packaging/README.md).

Why a new directory rather than the old one under a new identity: its outbox sequence, offline number
leases, pulled tickets and cursors all belong to the old device; and on Windows the running window holds
files in it open (its log), so it cannot be renamed away.

The code must be a **new device's** (``counterapp-server admin create-device --kind counter --counter N``),
not one reissued for this PC's own device: the new directory would continue that device's sequence (its
enrollment answer carries the push watermark), but enrolling replaces the device's public key and the
unsent ops exported in step 3 could then neither be verified nor placed in the sequence by
``counterapp-server import``. (A replaced PC's *fresh* directory may take a reissued code:
``enrollment.enroll_store``; the old PC's export is imported first.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx2
from sqlalchemy import select

from counterapp.domain.errors import DomainError
from counterapp.services import printing
from counterapp.store import cache_key, keystore
from counterapp.store.database import DB_FILENAME, Store, open_store
from counterapp.store.sync_models import OutboxRow
from counterapp.sync import credential_store, firstrun
from counterapp.sync.engine import SyncEngine, local_now
from counterapp.sync.enrollment import client_for, load_credential
from counterapp.sync.outbox_export import Exported

log = logging.getLogger(__name__)

__all__ = ["Unsent", "UnsentWork", "new_data_dir", "push_unsent", "reenroll", "unsent"]


class UnsentWork(DomainError):
    """Ops that are neither on the server nor in an export file: re-enrolling would strand them."""

    code = "reenroll.unsent_work"


@dataclass(frozen=True, slots=True)
class Unsent:
    op_ids: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.op_ids)


def unsent(store: Store) -> Unsent:
    with store.read() as session:
        return Unsent(frozenset(session.scalars(select(OutboxRow.op_id).where(OutboxRow.status == "pending"))))


def push_unsent(store: Store, data_dir: Path, *, http: httpx2.Client | None = None) -> Unsent:
    """One hello and a push of the whole outbox with this counter's credential; what is still pending after.
    Raises the client's ``SyncError`` when the server cannot be reached. The window's own sync engine may be
    pushing at the same moment: the server takes an op id once (the second copy is a duplicate)."""
    credential = load_credential(data_dir)
    client = client_for(credential, http=http)
    try:
        engine = SyncEngine(store, client, centre_id=credential.centre_id)
        engine.hello()
        report = engine.push_all()
    finally:
        client.close()
    left = unsent(store)
    log.info("re-enroll: pushed %d ops, %d still pending", report.pushed, left.count)
    return left


def new_data_dir(old: Path, now: datetime) -> Path:
    """A fresh directory beside ``old``, named after it and the time (``counter-20261208-0930``)."""
    old = old.expanduser().resolve()
    stem = f"{old.name}-{now:%Y%m%d-%H%M}"
    candidate, number = old.with_name(stem), 2
    while candidate.exists():
        candidate, number = old.with_name(f"{stem}-{number}"), number + 1
    return candidate


def _copy_printers(old: Store, new_dir: Path) -> None:
    with old.read() as session:
        configured = printing.printers(session)
    if not configured:
        return
    new = open_store(new_dir)
    try:
        with new.write() as session:
            for config in configured.values():
                printing.save_printer(session, config.to_mapping())
    finally:
        new.close()


def reenroll(
    store: Store,
    data_dir: Path,
    server_url: str,
    code: str,
    *,
    exported: Exported | None = None,
    http: httpx2.Client | None = None,
    now: datetime | None = None,
) -> tuple[Path, firstrun.Enrolled]:
    """Enroll a new data directory with ``code`` once every unsent op of ``store`` (the current counter's, at
    ``data_dir``) is on the server or in ``exported``. Returns the new directory and what it became; it is
    this PC's counter from now on. ``UnsentWork`` or ``firstrun.FirstRunFailed`` leave everything as it was."""
    left = unsent(store)
    covered = exported.op_ids if exported is not None else frozenset()
    if not left.op_ids <= covered:
        missing = len(left.op_ids - covered)
        raise UnsentWork(f"{missing} ops are neither sent nor exported", count=missing)
    target = new_data_dir(data_dir, now or local_now())
    try:
        enrolled = firstrun.enroll_counter(target, server_url, code, http=http)
    except Exception:
        _forget(target)
        raise
    _copy_printers(store, target)
    log.info("re-enrolled: %s is now device %s; the old directory is kept", target, enrolled.device_id)
    return target, enrolled


def _forget(target: Path) -> None:
    """A failed enrollment leaves at most an empty store in the new directory, with its key (in the keystore
    or a file) and its keystore name: remove only those."""
    if not target.is_dir():
        return
    credential_store.forget(target)
    cache_key.forget(target)
    (target / keystore.ID_FILE).unlink(missing_ok=True)  # last: the keystore entries above are named by it
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_file() and path.name.startswith(DB_FILENAME):  # the database and its -wal/-shm
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if not any(target.iterdir()):
        target.rmdir()
