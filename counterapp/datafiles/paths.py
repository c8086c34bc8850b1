"""Where the bundled ``resources/`` folder is: in a wheel, a PyInstaller bundle or a source checkout."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def resources_dir() -> Path:
    candidates = [
        _PACKAGE / "_bundled" / "resources",  # installed wheel (hatch force-include)
        Path(getattr(sys, "_MEIPASS", "/nonexistent")) / "resources",  # PyInstaller onedir
        _PACKAGE.parent / "resources",  # source checkout / editable install
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("counterapp's bundled resources folder is missing; reinstall the package")


def resource(relative: str) -> Path:
    return resources_dir() / relative
