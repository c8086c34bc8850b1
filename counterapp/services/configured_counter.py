"""Which data directory is "the counter configured on this PC".

A counter's data directory can live anywhere (``--data-dir``, ``$COUNTERAPP_DATA_DIR``); the demo's is
``<user data dir>/demo/counter``. So that ``counterapp status`` (and every client command, and the
window) finds it without being told, ``counterapp init``, ``counterapp enroll`` and the demo record its
absolute path in a small JSON file in the user configuration directory::

    {"schema": 1, "data_dir": "/home/clerk/.local/share/counterapp/demo/counter"}

Losing this file loses nothing: it only points at a directory, and a missing, unreadable or malformed
file reads as "none configured". Writing it never fails the command that set the counter up (the counter
works; only the default is not remembered), so both functions are total. No SQLAlchemy here: the CLI
reads this before deciding to load the database layer."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

FILENAME = "counter.json"
SCHEMA = 1


def config_path() -> Path:
    """``<user config dir>/counter.json`` (``~/.config/counterapp`` on Linux, ``%LOCALAPPDATA%`` on Windows)."""
    return Path(platformdirs.user_config_dir("counterapp", appauthor=False)) / FILENAME


def configured_counter() -> Path | None:
    """The recorded data directory, or None when none is (or the file cannot be read as one)."""
    path = config_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return None
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA or not isinstance(raw.get("data_dir"), str):
        log.warning("ignoring %s: not a counterapp counter file", path)
        return None
    text = raw["data_dir"].strip()
    return Path(text) if text else None


def remember_counter(data_dir: Path, *, replace: bool = True) -> bool:
    """Record ``data_dir`` (made absolute) as this PC's counter; True when it is recorded afterwards.

    ``replace=False`` (the demo) leaves a counter configured by ``init``/``enroll`` in place, so running the
    demo on a real counter's PC does not turn every command towards the demo; it still takes over from a
    recorded directory that is no longer a counter's (deleted, never initialised)."""
    target = data_dir.expanduser().resolve()
    current = configured_counter()
    if current == target:
        return True
    if not replace and current is not None and _is_counter(current):
        return False
    path = config_path()
    partial = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"schema": SCHEMA, "data_dir": str(target)}, ensure_ascii=False) + "\n",
                           encoding="utf-8")  # fmt: skip
        os.replace(partial, path)  # a reader never sees half a file
    except OSError as exc:
        log.warning("could not record %s as this PC's counter in %s: %s", target, path, exc)
        return False
    return True


def _is_counter(data_dir: Path) -> bool:
    from counterapp.store.database import DB_FILENAME  # here: the store loads SQLAlchemy, the lookup must not

    return (data_dir / DB_FILENAME).is_file()
