"""Where the counter window's bundled files are, and loading them into Qt: the Be Vietnam Pro fonts (so
Vietnamese renders the same on every PC, whatever fonts Windows has) and the QSS theme.

``ui/`` is found like ``resources/`` (``counterapp.datafiles.paths``): in a wheel at
``counterapp/_bundled/ui``, in a PyInstaller bundle next to the executable, in a checkout at the root."""

from __future__ import annotations

import logging
import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from counterapp.datafiles.paths import resource, resources_dir

log = logging.getLogger(__name__)

__all__ = ["BASE_POINT_SIZE", "FONT_FAMILY", "i18n_dir", "load_fonts", "load_theme", "ui_dir"]

FONT_FAMILY = "Be Vietnam Pro"
BASE_POINT_SIZE = 12  # readable from a metre away on a 1366×768 screen
_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def ui_dir() -> Path:
    candidates = [
        _PACKAGE / "_bundled" / "ui",
        Path(getattr(sys, "_MEIPASS", "/nonexistent")) / "ui",
        _PACKAGE.parent / "ui",
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("counterapp's bundled ui folder is missing; reinstall the package")


def i18n_dir() -> Path:
    """The compiled translations (``counterapp_<lang>.qm``); may not exist before the first build."""
    return resources_dir() / "i18n"


def load_fonts() -> str:
    """Register the bundled fonts once; the family name to use (a system fallback if none loaded)."""
    families: set[str] = set()
    for path in sorted(resource("fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("font %s could not be loaded", path.name)
            continue
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    if FONT_FAMILY in families:
        return FONT_FAMILY
    return sorted(families)[0] if families else QApplication.font().family()


def load_theme(app: QApplication) -> None:
    """The bundled fonts at a large size, and the QSS theme (missing theme: Qt's default look)."""
    font = QFont(load_fonts())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    try:
        path = ui_dir() / "theme.qss"
        app.setStyleSheet(path.read_text(encoding="utf-8"))
    except OSError as exc:
        log.warning("theme not loaded: %s", exc)
