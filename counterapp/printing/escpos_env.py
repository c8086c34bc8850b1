"""The one place that imports python-escpos.

On import, ``escpos.capabilities`` pickles its printer database to ``$ESCPOS_CAPABILITIES_PICKLE_DIR``
and otherwise to a fresh ``mkdtemp()`` folder, left behind by every process (PRINTING_PACKAGING.md §1).
Setting the variable is not enough: python-escpos 3.1 evaluates ``environ.get(..., mkdtemp())``, so the
folder is created (empty) anyway. :func:`prepare_escpos` therefore sets the variable to the cache folder
*and* makes that first import with ``tempfile`` pointed at a scratch folder it then deletes.
Every escpos import in the project goes through :func:`escpos_module`.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs

PICKLE_DIR_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
_quiet_lock = threading.Lock()
_import_lock = threading.Lock()


def escpos_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("counterapp", appauthor=False)) / "escpos"


def prepare_escpos() -> None:
    """Point escpos' capabilities pickle at the cache folder (an explicit setting wins) and import
    ``escpos.capabilities`` without leaving a temporary folder. Idempotent."""
    if "escpos.capabilities" in sys.modules:
        return
    with _import_lock:
        if "escpos.capabilities" in sys.modules:
            return
        folder = escpos_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not os.environ.get(PICKLE_DIR_ENV):
            os.environ[PICKLE_DIR_ENV] = str(folder)
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            previous, tempfile.tempdir = tempfile.tempdir, scratch
            try:
                importlib.import_module("escpos.capabilities")
            finally:
                tempfile.tempdir = previous


def escpos_module(name: str = "escpos") -> ModuleType:
    """``escpos`` or one of its modules (``escpos.printer``, ``escpos.constants``…), imported after
    :func:`prepare_escpos`."""
    prepare_escpos()
    return importlib.import_module(name)


def escpos_printer() -> ModuleType:
    return escpos_module("escpos.printer")


def escpos_constants() -> ModuleType:
    return escpos_module("escpos.constants")


def dummy_printer(escpos_profile: str) -> Any:
    """A python-escpos ``Dummy`` printer for that profile: it collects the bytes in ``.output``."""
    return escpos_printer().Dummy(profile=escpos_profile)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow python-escpos' ``print()`` chatter (e.g. "Using hardware barcode renderer").

    ``redirect_stdout`` swaps the process-wide ``sys.stdout``; the lock keeps two printing threads
    from restoring each other's stream in the wrong order."""
    with _quiet_lock, contextlib.redirect_stdout(io.StringIO()):
        yield
