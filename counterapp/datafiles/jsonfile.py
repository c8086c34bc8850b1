"""Read a JSON data file, turning every way it can fail into one error that names the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class DataFileError(Exception):
    """A data file is missing, unreadable or not valid JSON; ``str()`` names the file."""


def read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}") from None


def read_json_object(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a JSON object at the top level")
    return data
