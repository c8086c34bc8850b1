"""The counter's log files: ``<data dir>/logs/counterapp.log``, rotated at midnight, the last ``KEEP_DAYS``
days kept (``counterapp.log.2026-12-07`` …), so a problem reported on Monday about Friday is still there
and a PC left running for months never fills its disk. Qt-free: the window, ``counterapp sync --forever``
and the support bundle share it.

No personal data in the log: the code logs ids, codes and counts, never a name, CCCD number, phone or
address, and a traceback is written with each exception's type and frames but **not its message** (the
rule of ``counterapp.redaction``, shared with the server): an exception's text may echo an input.

    path = setup_file_logging(data_dir)          # once per process; again with the same dir: no-op
    files = recent_log_files(data_dir, days=7)   # for the support bundle
"""

from __future__ import annotations

import logging
import sys
import time
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from types import TracebackType

from counterapp.redaction import redacted_traceback

__all__ = ["KEEP_DAYS", "LOG_NAME", "RedactingFormatter", "log_dir", "recent_log_files", "setup_file_logging"]

LOG_NAME = "counterapp.log"
KEEP_DAYS = 14
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


class RedactingFormatter(logging.Formatter):
    """The usual line format; exceptions as ``redacted_traceback`` (no exception message ever)."""

    def formatException(self, ei: ExcInfo) -> str:
        value = ei[1]
        return redacted_traceback(value) if value is not None else ""

    def format(self, record: logging.LogRecord) -> str:
        # logging caches a record's formatted traceback (``exc_text``) for the next handler: one formatted by
        # another handler first (a plain stderr or pytest's) would carry the exception's message into this file
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def _ours(handler: logging.Handler, path: Path) -> bool:
    return isinstance(handler, TimedRotatingFileHandler) and Path(handler.baseFilename) == path.resolve()


def setup_file_logging(data_dir: Path, *, level: int = logging.INFO, stderr: bool = True) -> Path:
    """INFO and above to ``<data_dir>/logs/counterapp.log`` (rotated daily, ``KEEP_DAYS`` kept) and, with
    ``stderr``, to the terminal. Handlers are added to the root logger (``basicConfig`` would do nothing
    when a library or pytest has added one); calling it again for the same directory adds nothing."""
    path = log_dir(data_dir) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if not any(_ours(h, path) for h in root.handlers):
        handler = TimedRotatingFileHandler(path, when="midnight", backupCount=KEEP_DAYS, encoding="utf-8")
        handler.setFormatter(RedactingFormatter(FORMAT))
        root.addHandler(handler)
        if stderr:
            terminal = logging.StreamHandler(sys.stderr)
            terminal.setFormatter(RedactingFormatter(FORMAT))
            root.addHandler(terminal)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per request (long polls) drowns the rest
    return path


def remove_file_logging(data_dir: Path) -> None:
    """Detach and close this directory's file handler (tests; a window that switches data directory)."""
    path = log_dir(data_dir) / LOG_NAME
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h, path)]:
        root.removeHandler(handler)
        handler.close()


def recent_log_files(data_dir: Path, days: int = 7, *, now: float | None = None) -> list[Path]:
    """The log files (current and rotated, also the window's older ``counterapp-gui.log*``) written in the
    last ``days`` days, oldest first."""
    folder = log_dir(data_dir)
    if not folder.is_dir():
        return []
    since = (time.time() if now is None else now) - days * 86_400
    found = [p for p in folder.iterdir() if p.is_file() and p.name.startswith("counterapp") and ".log" in p.name]
    return sorted((p for p in found if p.stat().st_mtime >= since), key=lambda p: (p.stat().st_mtime, p.name))
