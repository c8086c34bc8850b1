"""The shipped catalogues in ``resources/i18n``: the Vietnamese one (the default language) is complete, keeps
every placeholder, mnemonic and shortcut of its source, is NFC, and covers every text of ``counterapp/gui``
(so a new untranslated string fails CI); our own ``qtbase_vi`` (Qt ships none) relabels Qt's buttons.

The ``.qm`` files are compiled here from the ``.ts`` with ``pyside6-lrelease``, so the test checks the
sources that are committed, whatever ``make`` built last."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from counterapp.gui.i18n import LanguageManager
from counterapp.services.workspace import SignedIn, Workspace

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
GUI = ROOT / "counterapp" / "gui"
CATALOGUES = ("counterapp_vi", "counterapp_en", "qtbase_vi")

# %1…%99 and %n (Qt), {name} (str.format after translation).
PLACEHOLDER = re.compile(r"%(?:\d{1,2}|n)|\{[A-Za-z_][A-Za-z0-9_]*\}")
SHORTCUT = re.compile(r"\b(?:(?:Ctrl|Alt|Shift)\+)+\w+|\bF\d{1,2}\b")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    numerus: bool
    unfinished: bool
    translations: tuple[str, ...]  # one per numerus form; a single one otherwise


def read_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{path.name}: {name}: no <translation>"
            numerus = message.get("numerus") == "yes"
            forms = [f.text or "" for f in translation.iter("numerusform")] if numerus else [translation.text or ""]
            messages.append(
                Message(
                    name,
                    message.findtext("source") or "",
                    numerus,
                    translation.get("type") in {"unfinished", "vanished", "obsolete"},
                    tuple(forms),
                )
            )
    return messages


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed")
    return found


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three catalogues compiled into a fresh folder; lrelease must report nothing unfinished in ours."""
    out = tmp_path_factory.mktemp("qm")
    for name in CATALOGUES:
        result = subprocess.run(
            [tool("pyside6-lrelease"), str(I18N / f"{name}.ts"), "-qm", str(out / f"{name}.qm")],
            check=True,
            capture_output=True,
            text=True,
        )
        if name.endswith("_vi"):
            assert " 0 unfinished" in result.stdout, result.stdout
    return out


@pytest.fixture
def translators(qapp: QApplication) -> Iterator[list[QTranslator]]:
    """Translators a test installs; removed afterwards so the next tests see English source texts."""
    installed: list[QTranslator] = []
    yield installed
    for translator in installed:
        qapp.removeTranslator(translator)


def install(qapp: QApplication, installed: list[QTranslator], path: Path) -> None:
    translator = QTranslator(qapp)
    assert translator.load(str(path)), path
    assert qapp.installTranslator(translator)
    installed.append(translator)


# --- the Vietnamese catalogue itself ----------------------------------------------------------------------


VI = read_ts(I18N / "counterapp_vi.ts")


def label(m: Message) -> str:
    return f"{m.context}: {m.source!r}"


def test_every_vietnamese_message_is_translated():
    assert VI
    problems = [label(m) for m in VI if m.unfinished or not all(t.strip() for t in m.translations)]
    assert problems == []


def test_vietnamese_has_one_plural_form_and_numerus_where_n_is_used():
    assert [label(m) for m in VI if m.numerus and len(m.translations) != 1] == []
    assert [label(m) for m in VI if "%n" in m.source and not m.numerus] == []


def test_translations_keep_the_placeholders_of_their_source():
    problems = [
        f"{label(m)} → {t!r}"
        for m in VI
        for t in m.translations
        if sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(m.source))
    ]
    assert problems == []


def test_translations_keep_shortcuts_and_mnemonics():
    def mnemonics(text: str) -> int:
        return len(re.findall(r"&(?!&)\w", text.replace("&&", "")))

    problems = [
        f"{label(m)} → {t!r}"
        for m in VI
        for t in m.translations
        if SHORTCUT.findall(t) != SHORTCUT.findall(m.source) or mnemonics(t) != mnemonics(m.source)
    ]
    assert problems == []


@pytest.mark.parametrize("name", CATALOGUES)
def test_catalogues_are_nfc(name: str):
    text = (I18N / f"{name}.ts").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    for m in read_ts(I18N / f"{name}.ts"):
        assert all(unicodedata.is_normalized("NFC", t) for t in m.translations), label(m)


def test_english_catalogue_is_valid_and_empty():
    en = read_ts(I18N / "counterapp_en.ts")
    assert {(m.context, m.source) for m in en} == {(m.context, m.source) for m in VI}
    assert all(t == "" for m in en for t in m.translations)  # the English source text is shown


# --- coverage of counterapp/gui -----------------------------------------------------------------------------


def test_catalogue_covers_everything_lupdate_extracts(tmp_path: Path):
    ts = tmp_path / "now.ts"
    sources = [str(p) for p in sorted(GUI.glob("*.py"))]
    subprocess.run(
        [tool("pyside6-lupdate"), "-source-language", "en", "-target-language", "vi", *sources, "-ts", str(ts)],
        check=True,
        capture_output=True,
    )
    extracted = {(m.context, m.source) for m in read_ts(ts)}
    assert len(extracted) > 100
    translated = {(m.context, m.source) for m in VI if not m.unfinished}
    assert sorted(extracted - translated) == []


def literal_texts() -> set[tuple[str, str]]:
    """What the code passes to Qt's translation functions, read from the syntax tree: also the texts lupdate
    cannot see (a context given as a module constant, a one-argument wrapper around ``translate``,
    ``self.tr`` inside an f-string)."""
    found: set[tuple[str, str]] = set()
    for path in sorted(GUI.glob("*.py")):
        found |= _TextScan(ast.parse(path.read_text(encoding="utf-8"))).found
    return found


class _TextScan:
    def __init__(self, tree: ast.Module) -> None:
        self.constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        # def f(text): return QCoreApplication.translate("Context", text)  → f("…") is translated in Context
        self.wrappers: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and len(node.args.args) == 1:
                parameter = node.args.args[0].arg
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "translate"
                        and len(call.args) == 2
                        and isinstance(call.args[1], ast.Name)
                        and call.args[1].id == parameter
                        and (context := self.text(call.args[0])) is not None
                    ):
                        self.wrappers[node.name] = context
        self.found: set[tuple[str, str]] = set()
        self.visit(tree, None)

    def text(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def visit(self, node: ast.AST, cls: str | None) -> None:
        if isinstance(node, ast.ClassDef):
            cls = node.name
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            args = node.args
            if name == "tr" and cls and (source := self.text(args[0])) is not None:
                self.found.add((cls, source))
            elif name in {"translate", "QT_TRANSLATE_NOOP"} and len(args) >= 2:
                context, source = self.text(args[0]), self.text(args[1])
                if context is not None and source is not None:
                    self.found.add((context, source))
            elif name in self.wrappers and len(args) == 1 and (source := self.text(args[0])) is not None:
                self.found.add((self.wrappers[name], source))
        for child in ast.iter_child_nodes(node):
            self.visit(child, cls)


def test_catalogue_covers_texts_lupdate_misses():
    texts = literal_texts()
    assert ("QueuePanel", "Call next") in texts and ("DossierTexts", "Withdrawn") in texts  # the scan works
    translated = {(m.context, m.source) for m in VI if not m.unfinished}
    assert sorted(texts - translated) == []


# --- the catalogues at run time ---------------------------------------------------------------------------


def test_qt_buttons_read_vietnamese_with_our_qtbase_catalogue(
    qapp: QApplication, compiled: Path, translators: list[QTranslator]
):
    install(qapp, translators, compiled / "qtbase_vi.qm")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel is not None and cancel.text() == "Hủy"
    message = QMessageBox(
        QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    )
    yes = message.button(QMessageBox.StandardButton.Yes)
    assert yes is not None and yes.text().replace("&", "") == "Có"
    assert QCoreApplication.translate("QLineEdit", "&Paste") == "&Dán"
    assert QCoreApplication.translate("QMessageBox", "Show Details...") == "Hiện chi tiết..."


def test_main_window_opens_in_vietnamese(
    qtbot: QtBot, qapp: QApplication, workspace: Workspace, compiled: Path, translators: list[QTranslator]
):
    from counterapp.gui.mainwindow import MainWindow

    install(qapp, translators, compiled / "qtbase_vi.qm")
    languages = LanguageManager(compiled)
    languages.set_language("vi")
    try:
        workspace.user = SignedIn("u-1", "lan.nt", "Nguyễn Thị Lan", "clerk")
        window = MainWindow(workspace, languages=languages)
        qtbot.addWidget(window)
        assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Quầy", "Tiếp nhận", "Hồ sơ"]
        assert window.language_menu.title() == "&Ngôn ngữ"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None and cancel.text() == "Hủy"
    finally:
        languages.set_language("en")


def test_language_manager_loads_our_qtbase_catalogue(qapp: QApplication, compiled: Path):
    assert qapp is not None  # translators need the application
    languages = LanguageManager(compiled)
    languages.set_language("vi")
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None and cancel.text() == "Hủy"
    finally:
        languages.set_language("en")
