"""Languages of the counter window: Vietnamese (the default) and English, switched live.

``LanguageManager`` installs two translators per language: ours (``counterapp_<lang>.qm`` from
``resources/i18n``) and Qt's own (``qtbase_<lang>.qm``, for the buttons of Qt's dialogs). Source strings
are English, so English needs no catalogue of ours. After a switch it emits ``language_changed``; windows
connect it to a slot that calls ``retranslate_ui()``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal, Slot

from counterapp.gui.resources import i18n_dir

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LanguageManager"]

DEFAULT_LANGUAGE = "vi"
# Shown in their own language, so a clerk who cannot read the current one still finds theirs.
LANGUAGES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}


class LanguageManager(QObject):
    language_changed = Signal(str)

    def __init__(self, directory: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._directory = directory
        self._installed: list[QTranslator] = []
        self.language = ""

    @property
    def directory(self) -> Path:
        return self._directory if self._directory is not None else i18n_dir()

    @Slot(str)
    def set_language(self, language: str) -> None:
        """Install ``language``'s translators (replacing the previous ones) and announce it."""
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        if language == self.language:
            return
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        for translator in self._installed:
            app.removeTranslator(translator)
        self._installed = []
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        # Qt's own catalogue: ours first (PySide6 ships no qtbase_vi), then the one Qt brings
        catalogues = [(f"counterapp_{language}", str(self.directory))]
        catalogues += [(f"qtbase_{language}", d) for d in (str(self.directory), qt_dir)]
        for name, directory in catalogues:
            if name.startswith("qtbase") and any(t.objectName() == name for t in self._installed):
                continue  # found in our folder already
            translator = QTranslator(self)
            translator.setObjectName(name)
            if translator.load(name, directory):
                app.installTranslator(translator)
                self._installed.append(translator)
            elif language != "en" or name.startswith("qtbase"):
                log.info("no translation %s in %s", name, directory)
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if language == "vi" else QLocale.Language.English))
        self.language = language
        self.language_changed.emit(language)

    def remove(self) -> None:
        """Take this manager's translators out of the application (a self-test in a process that goes on)."""
        app = QCoreApplication.instance()
        for translator in self._installed:
            if app is not None:
                app.removeTranslator(translator)
        self._installed = []
        self.language = ""


def arg(text: str, *values: object) -> str:
    """Qt's ``QString.arg`` for the ``str`` PySide returns: ``%1``… replaced by ``values`` (the
    translator may reorder the markers, so they are never formatted positionally)."""
    for number in range(len(values), 0, -1):  # %10 before %1
        text = text.replace(f"%{number}", str(values[number - 1]))
    return text
