"""The support bundle: one zip IT attaches to a ticket, with what is needed to understand a counter's
problem and nothing that would let someone impersonate it or learn about a citizen (issue 17 point 8).

    members = build_support_bundle(Path("ho-tro.zip"), store, data_dir)    # ``counterapp support-bundle``

What goes in (all JSON but the logs):

* ``versions.json`` — counterapp, Python, Qt/PySide6, SQLite, SQLAlchemy, the OS;
* ``settings.json`` — the centre settings of this counter and the enrolment's non-secret facts (server
  address, device, centre, agency), with the *names* of what was left out (``excluded``);
* ``sync.json`` — the sync status (online, last sync, last error, clock offset, leases, protocol mismatch)
  and the outbox's op counts by status and kind: never a payload;
* ``printers.json`` — the configured printers and the print queue's states (counts, and the latest jobs'
  document type, printer, status, attempts, error code and times): never a dossier code or a document;
* ``data_dir.json`` — the data directory's path, schema revision, the build that migrated it, file sizes;
* ``logs/`` — the log files of the last ``LOG_DAYS`` days (the log holds no personal data:
  ``counterapp.services.logfiles``).

What never goes in: the device credential and the export-signing key (the credential is read only for its
public facts, never copied), staff password verifiers, staff names, the database itself, any dossier,
ticket or outbox payload. Lives in ``counterapp.sync`` (not ``services``) because it reads the sync status
and the enrolment, and the services may not import the sync engine (tests/test_architecture.py).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from counterapp import __version__
from counterapp.domain.errors import DomainError
from counterapp.protocol.messages import PROTOCOL_MAX, PROTOCOL_MIN
from counterapp.services.device import DEFAULT_SETTINGS, settings
from counterapp.services.logfiles import recent_log_files
from counterapp.store.database import HEAD_REVISION, Store, current_revision
from counterapp.store.schema_guard import written_by
from counterapp.store.sync_models import OutboxRow, PrintJobRow
from counterapp.sync.engine import status
from counterapp.sync.enrollment import credential_path, load_credential

log = logging.getLogger(__name__)

__all__ = ["EXCLUDED", "LOG_DAYS", "build_support_bundle", "collect_facts", "version_facts"]

LOG_DAYS = 7
LATEST_JOBS = 50
# Settings kept out of the bundle, and why (the names are listed in settings.json, never their values).
EXCLUDED_SETTINGS = {
    "staff_verifiers": "offline password verifiers of the staff (secrets)",
    "staff_names": "staff members' names (personal data)",
}
# Fields of the enrolment kept out.
EXCLUDED_CREDENTIAL = {
    "credential": "the device credential (a secret: whoever holds it is this counter to the server)",
    "signing_key": "the export-signing private key (a secret)",
}
EXCLUDED = {**EXCLUDED_SETTINGS, **EXCLUDED_CREDENTIAL, "database": "the local cache itself (personal data)"}
Facts = dict[str, Any]


def _package_version(name: str) -> str | None:
    """An installed distribution's version without importing it (the CLI must not load Qt)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def version_facts(qt_version: str | None = None) -> Facts:
    """Versions of everything that matters; ``qt_version``: the running Qt's (the window passes it)."""
    import sqlalchemy

    return {
        "counterapp": __version__,
        "sync_protocol": {"min": PROTOCOL_MIN, "max": PROTOCOL_MAX},
        "schema_head": HEAD_REVISION,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "qt": qt_version,
        "pyside6": _package_version("PySide6") or _package_version("PySide6-Essentials"),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "os": platform.platform(),
        "os_system": platform.system(),
        "os_release": platform.release(),
        "machine": platform.machine(),
    }


def settings_facts(store: Store, data_dir: Path) -> Facts:
    with store.read() as session:
        stored = settings(session)
    kept = {key: value for key, value in stored.items() if key in DEFAULT_SETTINGS and key not in EXCLUDED_SETTINGS}
    left_out = sorted(key for key in stored if key not in kept)
    enrollment: Facts | None
    try:
        credential = load_credential(data_dir)
    except DomainError:  # not enrolled (standalone), or a credential that cannot be read: say which
        enrollment = {"enrolled": False, "credential_file": credential_path(data_dir).exists()}
    else:
        enrollment = {
            "enrolled": True,
            "server_url": credential.server_url,
            "device_id": credential.device_id,
            "centre_id": credential.centre_id,
            "agency_code": credential.agency_code,
            "has_signing_key": credential.signing_key is not None,
        }
    return {
        "settings": kept,
        "enrollment": enrollment,
        "excluded": {"settings": left_out, "why": EXCLUDED},
    }


def sync_facts(store: Store) -> Facts:
    current = status(store)
    with store.read() as session:
        counted = session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
        by_status = {str(state): int(count) for state, count in counted}
        by_kind = [
            {"kind": kind, "status": state, "count": count}
            for kind, state, count in session.execute(
                select(OutboxRow.kind, OutboxRow.status, func.count())
                .group_by(OutboxRow.kind, OutboxRow.status)
                .order_by(OutboxRow.kind, OutboxRow.status)
            )
        ]
        last_seq = session.scalar(select(func.max(OutboxRow.client_seq)))
    return {
        "status": current.as_dict(),
        "outbox": {"by_status": by_status, "by_kind": by_kind, "last_client_seq": last_seq},
    }


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def printer_facts(store: Store) -> Facts:
    with store.read() as session:
        configured = settings(session).get("printers") or {}
        counts = [
            {"printer": target, "status": state, "count": count}
            for target, state, count in session.execute(
                select(PrintJobRow.target, PrintJobRow.status, func.count())
                .group_by(PrintJobRow.target, PrintJobRow.status)
                .order_by(PrintJobRow.target, PrintJobRow.status)
            )
        ]
        latest = session.execute(
            select(PrintJobRow.document, PrintJobRow.target, PrintJobRow.status, PrintJobRow.attempts,
                   PrintJobRow.last_error_code, PrintJobRow.created_at, PrintJobRow.printed_at,
                   PrintJobRow.reprint_of.is_not(None))
            .order_by(PrintJobRow.created_at.desc(), PrintJobRow.id.desc())
            .limit(LATEST_JOBS)
        ).all()  # fmt: skip
    jobs = [
        {"document": document, "printer": target, "status": state, "attempts": attempts, "error_code": code,
         "created_at": _when(created), "printed_at": _when(printed), "reprint": bool(reprint)}
        for document, target, state, attempts, code, created, printed, reprint in latest
    ]  # fmt: skip
    return {"configured": configured, "queue": counts, "latest_jobs": jobs}


def _sizes(folder: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                sizes[path.relative_to(folder).as_posix()] = path.stat().st_size
    return sizes


def data_dir_facts(store: Store, data_dir: Path) -> Facts:
    usage = shutil.disk_usage(data_dir)
    return {
        "path": str(data_dir),
        "schema_revision": current_revision(store.write_engine),
        "schema_head": HEAD_REVISION,
        "migrated_by": written_by(store.write_engine),
        "file_sizes": _sizes(data_dir),
        "disk_free_bytes": usage.free,
        "disk_total_bytes": usage.total,
    }


def collect_facts(store: Store, data_dir: Path, *, qt_version: str | None = None) -> dict[str, Facts]:
    """Every JSON part of the bundle, by member name (the About dialog shows a few of them)."""
    parts: dict[str, Callable[[], Facts]] = {
        "versions.json": lambda: version_facts(qt_version),
        "settings.json": lambda: settings_facts(store, data_dir),
        "sync.json": lambda: sync_facts(store),
        "printers.json": lambda: printer_facts(store),
        "data_dir.json": lambda: data_dir_facts(store, data_dir),
    }
    facts: dict[str, Facts] = {}
    for name, collect in parts.items():
        try:
            facts[name] = collect()
        except Exception as exc:  # one broken part (a damaged table) must not cost IT the rest of the bundle
            log.warning("support bundle: %s not collected", name, exc_info=True)
            facts[name] = {"error": type(exc).__name__, "code": getattr(exc, "code", None)}
    return facts


def build_support_bundle(
    target: Path,
    store: Store,
    data_dir: Path,
    *,
    qt_version: str | None = None,
    log_days: int = LOG_DAYS,
    now: datetime | None = None,
) -> list[str]:
    """Write the bundle to ``target`` (a temporary file renamed into place: never half a zip). Returns the
    member names."""
    created = (now or datetime.now().astimezone()).isoformat(timespec="seconds")
    facts = collect_facts(store, data_dir, qt_version=qt_version)
    logs = recent_log_files(data_dir, log_days)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".support-", suffix=".zip", dir=target.parent)
    os.close(handle)
    members: list[str] = []
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name, part in facts.items():
                bundle.writestr(name, json.dumps(part, ensure_ascii=False, indent=2, default=str))
                members.append(name)
            for path in logs:
                name = f"logs/{path.name}"
                bundle.write(path, name)
                members.append(name)
            manifest = {"created_at": created, "counterapp": __version__, "members": members,
                        "log_days": log_days, "excluded": EXCLUDED}  # fmt: skip
            bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            members.append("manifest.json")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return members
