"""The server's configuration file (``/etc/counterapp/server.conf`` on an installed server): an INI file,
UTF-8, one section ``[server]``::

    [server]
    database_url = postgresql://counterapp@127.0.0.1/counterapp
    host = 127.0.0.1
    port = 8765
    workers = 2
    behind_proxy = yes          ; nginx terminates TLS; trust its X-Forwarded-* headers, nobody else's
    trusted_proxies = 127.0.0.1 ; the proxy's addresses (comma-separated, CIDR allowed)
    ; tls_cert = /etc/counterapp/tls/server.crt   ; or: serve HTTPS directly
    ; tls_key = /etc/counterapp/tls/server.key
    log_dir = /var/log/counterapp

Which file: ``--config FILE``, else ``$COUNTERAPP_SERVER_CONFIG``, else ``/etc/counterapp/server.conf`` when
the packaged (frozen) server runs and that file exists — so IT's ``counterapp-server admin …`` on the server
uses the service's database without repeating it; a checkout never reads ``/etc``. Precedence: command-line
options, then the file, then ``$COUNTERAPP_SERVER_DATABASE_URL``, then the defaults. A bad value is one line
naming the file and the key (``ConfigError``, a ``ValueError``: the CLI prints it and exits 1).
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from counterapp.server.config import ServerSettings

CONFIG_ENV = "COUNTERAPP_SERVER_CONFIG"
PACKAGED_CONFIG = Path("/etc/counterapp/server.conf")
SECTION = "server"
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off", ""}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message is one line naming the file and the key."""


def _whole(text: str, low: int, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"not a whole number: {text!r}") from None
    if value < low or (high is not None and value > high):
        raise ValueError(f"must be between {low} and {high}: {text!r}" if high else f"must be at least {low}: {text!r}")
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not yes or no: {text!r}")


def _path(text: str) -> Path | None:
    return Path(text) if text else None


def _proxies(text: str) -> str:
    addresses = [part.strip() for part in text.split(",") if part.strip()]
    if not addresses:
        raise ValueError("needs at least one address (the proxy's, e.g. 127.0.0.1)")
    if "*" in addresses:  # any client could then claim any address: the sign-in throttle would be moot
        raise ValueError("'*' would trust every client's forwarded headers; name the proxy's addresses")
    return ",".join(addresses)


def _url(text: str) -> str:
    if not text:
        raise ValueError("is empty")
    return text


# key in the file -> (ServerSettings field, parser of the text)
KEYS: dict[str, tuple[str, Any]] = {
    "database_url": ("database_url", _url),
    "host": ("host", lambda text: text or "127.0.0.1"),
    "port": ("port", lambda text: _whole(text, 1, 65535)),
    "workers": ("workers", lambda text: _whole(text, 1, 64)),
    "sync_concurrency": ("sync_concurrency", lambda text: _whole(text, 1)),
    "keep_alive": ("keep_alive_s", lambda text: _whole(text, 1)),
    "tls_cert": ("tls_cert", _path),
    "tls_key": ("tls_key", _path),
    "behind_proxy": ("behind_proxy", _boolean),
    "trusted_proxies": ("trusted_proxies", _proxies),
    "log_dir": ("log_dir", _path),
}


def read_config(path: Path) -> dict[str, Any]:
    """The ``ServerSettings`` fields ``path`` sets (only those it names)."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";", "#"), interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except configparser.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"{path}: not an INI file: {first}") from None
    extra = [name for name in parser.sections() if name != SECTION]
    if extra:
        raise ConfigError(f"{path}: unknown section [{extra[0]}] (the settings go in [{SECTION}])")
    if not parser.has_section(SECTION):
        raise ConfigError(f"{path}: no [{SECTION}] section")
    values: dict[str, Any] = {}
    for key, text in parser.items(SECTION):
        if key not in KEYS:
            raise ConfigError(f"{path}: [{SECTION}] {key}: unknown key (known: {', '.join(KEYS)})")
        name, parse = KEYS[key]
        try:
            values[name] = parse(text.strip())
        except ValueError as exc:
            raise ConfigError(f"{path}: [{SECTION}] {key}: {exc}") from None
    return values


def config_path(given: Path | None, environ: dict[str, str] | None = None) -> Path | None:
    """The configuration file to read, if any (see the module's docstring)."""
    env = os.environ if environ is None else environ
    if given is not None:
        return given
    if env.get(CONFIG_ENV, "").strip():
        return Path(env[CONFIG_ENV].strip())
    if getattr(sys, "frozen", False) and PACKAGED_CONFIG.is_file():
        return PACKAGED_CONFIG
    return None


# command-line option (argparse dest) -> ServerSettings field
CLI_FIELDS = ("database_url", "host", "port", "workers", "sync_concurrency", "keep_alive_s", "tls_cert", "tls_key")


def settings_from(args: argparse.Namespace) -> ServerSettings:
    """The settings a command runs with: the file's, then the command line's on top."""
    path = config_path(getattr(args, "config", None))
    values = read_config(path) if path is not None else {}
    for name in CLI_FIELDS:
        given = getattr(args, name, None)
        if given is not None and given != "":
            values[name] = given
    if getattr(args, "behind_proxy", None):
        values["behind_proxy"] = True
    settings = ServerSettings()
    try:
        return replace(settings, **values)
    except ValueError as exc:  # e.g. a certificate without its key: name the file so IT knows where to look
        raise ConfigError(f"{path}: {exc}" if path is not None else str(exc)) from None
