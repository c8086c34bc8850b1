"""The support bundle and the log files (issue 17 point 8): what IT gets, and what it never gets.

A real counter store with an intake carrying a citizen's personal data, an enrolled credential and a staff
member's offline verifier; the counter's rotating log written the way the window writes it (including a
crash whose exception message quotes the citizen); then ``counterapp support-bundle`` — and every byte of the
zip and of the log files is searched for the secrets and the personal data."""

from __future__ import annotations

import json
import logging
import os
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from counterapp.cli.main import main
from counterapp.services import intake, printing, staff
from counterapp.services.logfiles import (
    KEEP_DAYS,
    LOG_NAME,
    log_dir,
    recent_log_files,
    remove_file_logging,
    setup_file_logging,
)
from counterapp.services.workspace import SignedIn
from counterapp.store.database import Store
from counterapp.sync.enrollment import Credential, save_credential
from counterapp.sync.support_bundle import EXCLUDED, build_support_bundle
from tests.counter import NOW, counter_store, intake_form

CREDENTIAL = "cred-7f3a9c1e5b2d4086a1f0e9d8c7b6a5f4"
SIGNING_KEY = "sk-Q2hhdmUgYmVlbiBzZWNyZXQgc2lnbmluZyBrZXk"
PASSWORD = "Mật-khẩu-Bí-mật-42"
CLERK = SignedIn(user_id="clerk-1", username="lan.nt", full_name="Nguyễn Thị Lan", role="clerk")
APPLICANT = intake_form()["applicant"]
PERSONAL = [APPLICANT["name"], APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"], "0912 345 678"]
SECRETS = [CREDENTIAL, SIGNING_KEY, PASSWORD]


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "counter"
    setup_file_logging(path, stderr=False)
    yield path
    remove_file_logging(path)


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened = counter_store(data_dir)
    yield opened
    opened.close()


def a_counter_in_use(store: Store, data_dir: Path) -> str:
    """Enrolled, a clerk remembered for offline sign-in, an intake received, its receipt stuck at a printer."""
    save_credential(data_dir, Credential("http://127.0.0.1:9", "dev-1", CREDENTIAL, "centre-a", "000.00.01.H26",
                                         SIGNING_KEY))  # fmt: skip
    with store.write() as session:
        staff.remember(session, CLERK, CLERK.username, PASSWORD, now=NOW)
        printing.save_printer(session, {"name": "quay5", "kind": "network", "host": "127.0.0.1", "port": 9,
                                        "timeout": 0.5})  # fmt: skip
        code = intake.receive_dossier(session, intake_form(), now=NOW, user_id=CLERK.user_id).dossier.code
        job = printing.enqueue(session, document=printing.Document.RECEIPT, reference=code, printer_name="quay5",
                               now=NOW)  # fmt: skip
    printing.run_job(store, job.id, now=NOW, user_id=CLERK.user_id)  # nobody listens on port 9: stays pending
    log = logging.getLogger("counterapp.gui.intake_panel")
    log.info("dossier %s received", code)
    try:  # a bug whose exception text quotes the form: the log keeps its type and frames, never its message
        raise ValueError(f"unexpected applicant {APPLICANT['name']} {APPLICANT['id_number']}")
    except ValueError:
        log.exception("unexpected error")
    return code


def everything_in(bundle: Path) -> str:
    with zipfile.ZipFile(bundle) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def members(bundle: Path) -> dict[str, Any]:
    with zipfile.ZipFile(bundle) as archive:
        return {
            name: json.loads(archive.read(name)) if name.endswith(".json") else archive.read(name).decode("utf-8")
            for name in archive.namelist()
        }


def test_the_log_is_a_daily_rotating_file_without_personal_data(store: Store, data_dir: Path):
    a_counter_in_use(store, data_dir)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "").endswith(LOG_NAME))
    assert isinstance(handler, logging.handlers.TimedRotatingFileHandler)
    assert (handler.when, handler.backupCount) == ("MIDNIGHT", KEEP_DAYS)
    text = (log_dir(data_dir) / LOG_NAME).read_text(encoding="utf-8")
    assert "dossier 000.00.01.H26-" in text and "unexpected error" in text
    assert "builtins.ValueError (message withheld)" in text and "test_support_bundle.py" in text  # type, frames
    for value in PERSONAL + SECRETS:
        assert value not in text, value


def test_setting_up_twice_adds_no_second_handler(data_dir: Path):
    before = len(logging.getLogger().handlers)
    setup_file_logging(data_dir, stderr=False)
    assert len(logging.getLogger().handlers) == before


def test_only_the_last_days_of_logs_are_collected(data_dir: Path):
    folder = log_dir(data_dir)
    old = folder / f"{LOG_NAME}.2020-01-01"
    old.write_text("old\n", encoding="utf-8")
    week_ago = time.time() - timedelta(days=8).total_seconds()
    os.utime(old, (week_ago, week_ago))
    recent = folder / f"{LOG_NAME}.2020-01-02"
    recent.write_text("recent\n", encoding="utf-8")
    found = recent_log_files(data_dir, days=7)
    assert recent in found and old not in found and folder / LOG_NAME in found


def test_the_bundle_holds_versions_settings_logs_sync_printers_and_data_dir_facts(
    store: Store, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    a_counter_in_use(store, data_dir)
    bundle = tmp_path / "out" / "ho-tro.zip"
    assert main(["support-bundle", str(bundle), "--data-dir", str(data_dir)]) == 0
    assert "ho-tro.zip" in capsys.readouterr().out
    parts = members(bundle)
    assert set(parts) == {"versions.json", "settings.json", "sync.json", "printers.json", "data_dir.json",
                          f"logs/{LOG_NAME}", "manifest.json"}  # fmt: skip
    versions = parts["versions.json"]
    assert versions["counterapp"] and versions["python"] and versions["sqlite"] and versions["os"]
    assert versions["pyside6"]  # the Qt binding's version, read without loading Qt in the CLI
    settings = parts["settings.json"]
    assert settings["enrollment"] == {"enrolled": True, "server_url": "http://127.0.0.1:9", "device_id": "dev-1",
                                      "centre_id": "centre-a", "agency_code": "000.00.01.H26",
                                      "has_signing_key": True}  # fmt: skip
    assert "staff_verifiers" in settings["excluded"]["settings"] and "staff_names" in settings["excluded"]["settings"]
    assert set(EXCLUDED) <= set(settings["excluded"]["why"]) and "credential" in settings["excluded"]["why"]
    assert settings["settings"]["printers"]["quay5"]["host"] == "127.0.0.1"
    sync = parts["sync.json"]
    assert sync["status"]["pending_ops"] == 1 and sync["outbox"]["by_status"] == {"pending": 1}
    assert sync["outbox"]["by_kind"] == [{"kind": "dossier.create", "status": "pending", "count": 1}]
    printers = parts["printers.json"]
    assert printers["queue"] == [{"printer": "quay5", "status": "pending", "count": 1}]
    [job] = printers["latest_jobs"]
    assert (job["document"], job["status"], job["attempts"], job["error_code"]) == (
        "receipt_01", "pending", 1, "printer.unreachable",
    )  # fmt: skip
    assert "reference" not in job  # no dossier code, no document
    data = parts["data_dir.json"]
    assert data["schema_revision"] == data["schema_head"] and data["file_sizes"]["counter.sqlite3"] > 0
    assert "unexpected error" in parts[f"logs/{LOG_NAME}"]
    assert f"logs/{LOG_NAME}" in parts["manifest.json"]["members"]


def test_no_secret_and_no_personal_data_anywhere_in_the_bundle(store: Store, data_dir: Path, tmp_path: Path):
    a_counter_in_use(store, data_dir)
    bundle = tmp_path / "bundle.zip"
    build_support_bundle(bundle, store, data_dir)
    text = everything_in(bundle)
    assert "unexpected error" in text  # the log is in it
    for value in PERSONAL + SECRETS + [CLERK.full_name]:  # (a dossier code is not personal data: the log names it)
        assert value not in text, value
    with zipfile.ZipFile(bundle) as archive:  # not the database, not the credential file, in any form
        assert not [n for n in archive.namelist() if "sqlite3" in n or "credential" in n]


def test_a_failed_bundle_leaves_no_half_file(store: Store, data_dir: Path, tmp_path: Path):
    target = tmp_path / "out" / "bundle.zip"
    target.mkdir(parents=True)  # a folder where the file should go: the final rename fails
    with pytest.raises(OSError):
        build_support_bundle(target, store, data_dir)
    assert [p.name for p in target.parent.iterdir()] == ["bundle.zip"] and target.is_dir()
