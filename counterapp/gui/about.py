"""The window's Help menu: "Create support bundle…" and "About counterapp" (F1), the About dialog, and the
job that writes the support bundle off the GUI thread (``counterapp.sync.support_bundle`` decides what
goes in it: never a secret, never a citizen's data).

    help_menu = HelpMenu(window, workspace, about_action)      # the window owns the About key (F1)
    help_menu.bundler.saved.connect(status_bar.show_message)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, Slot, qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp import __version__
from counterapp.gui.i18n import arg
from counterapp.gui.jobs import DB, IO, Job, start
from counterapp.services.workspace import Workspace

log = logging.getLogger(__name__)

__all__ = ["AboutDialog", "HelpMenu", "SupportBundler", "default_bundle_name"]


def default_bundle_name(now: datetime | None = None) -> str:
    return f"counterapp-support-{(now or datetime.now()).strftime('%Y%m%d-%H%M')}.zip"


def _build(workspace: Workspace, path: Path) -> Path:
    """On the IO pool: the bundle (imported here: the sync package is not on the window's start-up path)."""
    from counterapp.sync.support_bundle import build_support_bundle

    build_support_bundle(path, workspace.store, workspace.data_dir, qt_version=qVersion())
    return path


def _facts(workspace: Workspace) -> dict[str, dict[str, Any]]:
    from counterapp.sync.support_bundle import collect_facts

    return collect_facts(workspace.store, workspace.data_dir, qt_version=qVersion())


class SupportBundler(QObject):
    """Asks where to save the bundle, writes it on the IO pool, and says how it went (already translated)."""

    saved = Signal(str)  # the message for the clerk / IT: where the file is
    failed = Signal(str)
    finished = Signal()

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.busy = False
        # the save dialog; a test replaces it (a native dialog cannot be driven from pytest-qt)
        self.ask_path: Callable[[QWidget | None], Path | None] = self._ask_path

    def _ask_path(self, parent: QWidget | None) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        chosen, _filter = QFileDialog.getSaveFileName(
            parent,
            self.tr("Save the support bundle"),
            str(Path(folder) / default_bundle_name()),
            self.tr("Zip files (*.zip)"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".zip" else path.with_name(path.name + ".zip")

    @Slot()
    def ask_and_create(self, parent: QWidget | None = None) -> None:
        if self.busy:
            return
        path = self.ask_path(parent)
        if path is not None:
            self.create(path)

    def create(self, path: Path) -> None:
        self.busy = True
        job = Job(partial(_build, self.workspace, path), name="support-bundle")
        job.signals.succeeded.connect(self.on_saved)
        job.signals.failed.connect(self.on_failed)
        start(IO, job)

    @Slot(object)
    def on_saved(self, path: Path) -> None:
        self.busy = False
        log.info("support bundle written (%d bytes)", path.stat().st_size if path.exists() else 0)
        self.saved.emit(arg(self.tr("Support bundle saved: %1 — send this file to IT"), str(path)))
        self.finished.emit()

    @Slot(object)
    def on_failed(self, exc: Exception) -> None:
        self.busy = False
        log.warning("support bundle not written (%s)", type(exc).__name__)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        self.failed.emit(arg(self.tr("The support bundle could not be written: %1"), reason))
        self.finished.emit()


class AboutDialog(QDialog):
    """The version and, in short, what the support bundle says: versions, schema, sync, data directory."""

    def __init__(self, workspace: Workspace, bundler: SupportBundler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.workspace = workspace
        self.bundler = bundler
        self.facts: dict[str, dict[str, Any]] | None = None
        self.heading = QLabel(self)
        self.heading.setProperty("role", "title")
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for key in ("version", "python", "qt", "sqlite", "os", "schema", "sync", "server", "data_dir"):
            caption, value = QLabel(self), QLabel("…", self)
            value.setObjectName(f"about_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.form.addRow(caption, value)
            self.captions[key], self.values[key] = caption, value
        self.result_label = QLabel(self)
        self.result_label.setObjectName("aboutResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.bundle_button = QPushButton(self)
        self.bundle_button.setObjectName("aboutBundleButton")
        self.buttons.addButton(self.bundle_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.bundle_button.clicked.connect(self.on_bundle_clicked)
        bundler.saved.connect(self.on_result)
        bundler.failed.connect(self.on_result)
        bundler.finished.connect(self.on_bundle_finished)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._show_quick_facts()
        self.retranslate_ui()
        job = Job(partial(_facts, workspace), name="about.facts")  # reads the cache: never on the GUI thread
        job.signals.succeeded.connect(self.on_facts)
        start(DB, job)

    def _show_quick_facts(self) -> None:
        """What needs no database: shown at once."""
        import platform
        import sqlite3
        import sys

        self.values["version"].setText(__version__)
        self.values["python"].setText(sys.version.split()[0])
        self.values["qt"].setText(qVersion())
        self.values["sqlite"].setText(sqlite3.sqlite_version)
        self.values["os"].setText(platform.platform())
        self.values["data_dir"].setText(str(self.workspace.data_dir))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("About counterapp"))
        self.heading.setText(arg(self.tr("counterapp %1 — one-stop counter software"), __version__))
        captions = {
            "version": self.tr("Version"), "python": self.tr("Python"), "qt": self.tr("Qt"),
            "sqlite": self.tr("SQLite"), "os": self.tr("Operating system"), "schema": self.tr("Data schema"),
            "sync": self.tr("Sync"), "server": self.tr("Server"), "data_dir": self.tr("Data directory"),
        }  # fmt: skip
        for key, text in captions.items():
            self.captions[key].setText(text)
        self.bundle_button.setText(self.tr("Create support bundle…"))
        if self.facts is not None:
            self._show_facts(self.facts)

    @Slot(object)
    def on_facts(self, facts: dict[str, dict[str, Any]]) -> None:
        self.facts = facts
        self._show_facts(facts)

    def _show_facts(self, facts: dict[str, dict[str, Any]]) -> None:
        data = facts.get("data_dir.json", {})
        if "schema_revision" in data:
            self.values["schema"].setText(
                arg(self.tr("%1 (this version: %2)"), data["schema_revision"], data["schema_head"])
            )
        status = facts.get("sync.json", {}).get("status", {})
        if status:
            text = self.tr("online") if status.get("online") else self.tr("offline")
            pending = int(status.get("pending_ops") or 0)
            self.values["sync"].setText(text + " · " + self.tr("%n change(s) to send", "", pending))
        enrollment = facts.get("settings.json", {}).get("enrollment") or {}
        if enrollment.get("enrolled"):
            self.values["server"].setText(str(enrollment.get("server_url", "")))
        elif enrollment:
            self.values["server"].setText(self.tr("not enrolled (standalone)"))

    @Slot()
    def on_bundle_clicked(self) -> None:
        self.bundle_button.setEnabled(False)
        self.bundler.ask_and_create(self)
        if not self.bundler.busy:  # the save dialog was cancelled
            self.bundle_button.setEnabled(True)

    @Slot(str)
    def on_result(self, text: str) -> None:
        self.result_label.setText(text)

    @Slot()
    def on_bundle_finished(self) -> None:
        self.bundle_button.setEnabled(True)


class HelpMenu(QMenu):
    """ "Trợ giúp": create the support bundle, and About (its key, F1, is the window's: ``about_action``)."""

    def __init__(self, window: QWidget, workspace: Workspace, about_action: QAction) -> None:
        super().__init__(window)
        self.setObjectName("helpMenu")
        self.window_ = window
        self.workspace = workspace
        self.bundler = SupportBundler(workspace, self)
        self.bundle_action = QAction(self)
        self.bundle_action.setObjectName("supportBundleAction")
        self.bundle_action.triggered.connect(lambda: self.bundler.ask_and_create(self.window_))
        self.about_action = about_action
        self.addAction(self.bundle_action)
        self.addSeparator()
        self.addAction(about_action)
        self.about_dialog: AboutDialog | None = None
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("&Help"))
        self.bundle_action.setText(self.tr("Create support bundle…"))
        self.about_action.setText(self.tr("About counterapp"))
        if self.about_dialog is not None:
            self.about_dialog.retranslate_ui()

    @Slot()
    def show_about(self) -> None:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.workspace, self.bundler, self.window_)
            self.about_dialog.finished.connect(self._about_closed)
        self.about_dialog.open()
        self.about_dialog.raise_()

    @Slot()
    def _about_closed(self) -> None:
        dialog, self.about_dialog = self.about_dialog, None
        if dialog is not None:
            dialog.deleteLater()
