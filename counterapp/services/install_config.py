"""The installer's machine-wide config: what the first start needs to enroll the counter without questions.

Written by the Windows installer (``/SERVER= /CODE= /COUNTER=``) or placed by IT on Linux; an INI file in
UTF-8 (a byte-order mark, as Notepad writes, is accepted)::

    [enroll]
    server = https://hcc.example/
    code = K7QX-M2PD-9HTC
    counter = 5

Paths: ``%ProgramData%\\counterapp\\counter.conf`` on Windows, ``/etc/counterapp/counter.conf`` elsewhere;
``$COUNTERAPP_CONFIG`` overrides both. ``counter`` is optional: the code decides the counter on the server,
and when the file names another one the first start says so. A missing file is not an error (the wizard
asks); a broken one is, naming the key at fault, since IT must fix the file rather than guess. Qt-free.
"""

from __future__ import annotations

import configparser
import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from counterapp.domain.errors import DomainError

__all__ = ["ENV_VAR", "SECTION", "InstallConfig", "InstallConfigError", "config_path", "read_install_config"]

ENV_VAR = "COUNTERAPP_CONFIG"
SECTION = "enroll"
KEYS = ("server", "code", "counter")
MAX_CODE = 64  # the server's codes are 14 characters; anything much longer is a pasted mistake


class InstallConfigError(DomainError):
    """The installer config cannot be used; ``key`` (params) names the key or section at fault."""

    code = "install_config.invalid"


@dataclass(frozen=True, slots=True)
class InstallConfig:
    path: Path
    server: str = ""  # without its trailing slash
    code: str = ""
    counter: str = ""  # the counter IT expects, or "" when not given

    @property
    def complete(self) -> bool:
        """Both the server and the code: the first start enrolls without asking anything."""
        return bool(self.server and self.code)


def config_path(environ: os._Environ[str] | dict[str, str] = os.environ, platform: str = sys.platform) -> Path:
    override = environ.get(ENV_VAR)
    if override:
        return Path(override)
    if platform == "win32":
        return Path(environ.get("ProgramData") or r"C:\ProgramData") / "counterapp" / "counter.conf"
    return Path("/etc/counterapp/counter.conf")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _server(value: str, path: Path) -> str:
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise InstallConfigError(
            f"{path}: [enroll] server = {value!r} is not an http:// or https:// address", key="server", path=str(path)
        )
    return value.rstrip("/")


def _code(value: str, path: Path) -> str:
    if len(value) > MAX_CODE or any(not (c.isalnum() or c in "- ") for c in value):
        raise InstallConfigError(f"{path}: [enroll] code is not an enrollment code", key="code", path=str(path))
    return value  # the server normalises case and separators (server.security.normalise_enrollment_code)


def _counter(value: str, path: Path) -> str:
    if value and (len(value) > 10 or not value.isalnum()):
        raise InstallConfigError(
            f"{path}: [enroll] counter = {value!r} is not a counter number", key="counter", path=str(path)
        )
    return value


def read_install_config(path: Path | None = None) -> InstallConfig | None:
    """The config at ``path`` (default: ``config_path()``), or None when there is no file.
    ``InstallConfigError`` names the key (``server``/``code``/``counter``/``[enroll]``/``file``) at fault."""
    path = config_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InstallConfigError(f"{path}: cannot be read ({exc.strerror})", key="file", path=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InstallConfigError(f"{path}: is not UTF-8 text", key="file", path=str(path)) from None
    parser = configparser.ConfigParser(interpolation=None)  # a '%' in a value is a '%', not a reference
    try:
        parser.read_string(_nfc(text), source=str(path))
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise InstallConfigError(f"{path}: not an INI file ({first})", key="file", path=str(path)) from None
    if not parser.has_section(SECTION):
        raise InstallConfigError(f"{path}: has no [{SECTION}] section", key=f"[{SECTION}]", path=str(path))
    values = {key: _nfc(parser.get(SECTION, key, fallback="")) for key in KEYS}
    return InstallConfig(
        path=path,
        server=_server(values["server"], path),
        code=_code(values["code"], path),
        counter=_counter(values["counter"], path),
    )
