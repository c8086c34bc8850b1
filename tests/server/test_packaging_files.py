"""The server's deployment files in packaging/server agree with the program: the unit runs the commands and
the configuration file the server knows, nginx streams the live-event route the server really has, and the
maintainer scripts are valid shell. Reading files only: fast. (The .deb itself: make test-server-deb.)"""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from counterapp.server import cli
from counterapp.server.config_file import PACKAGED_CONFIG
from counterapp.server.routes import events

SERVER = Path(__file__).resolve().parents[2] / "packaging" / "server"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # systemd repeats some keys
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SERVER / "counterapp-server.service", encoding="utf-8")
    return parser


def test_the_unit_migrates_then_serves_the_packaged_configuration_as_its_own_user():
    service = unit()["Service"]
    assert service["User"] == service["Group"] == "counterapp"
    assert service["ExecStartPre"] == f"/usr/bin/counterapp-server migrate --config {PACKAGED_CONFIG}"
    assert service["ExecStart"] == f"/usr/bin/counterapp-server serve --config {PACKAGED_CONFIG}"
    assert service["Restart"] == "on-failure" and service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "yes" and service["CapabilityBoundingSet"] == ""
    for line in (service["ExecStartPre"], service["ExecStart"]):  # the arguments parse as the program's own
        args = cli.build_parser().parse_args(line.split()[1:])
        assert args.config == PACKAGED_CONFIG


def test_nginx_streams_the_servers_live_event_route_unbuffered():
    text = (SERVER / "nginx-counterapp.conf").read_text(encoding="utf-8")
    route = next(r.path for r in events.router.routes if "events" in getattr(r, "path", ""))  # type: ignore[attr-defined]
    block = text[text.index(f"location = /v1{route} {{") :]
    block = block[: block.index("}")]
    assert "proxy_buffering off;" in block and "proxy_read_timeout 1h;" in block
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text  # replaced, never appended
    assert "proxy_add_x_forwarded_for;" not in text and "proxy_pass http://counterapp_server;" in block


@pytest.mark.parametrize("script", ["postinst", "prerm", "postrm", "backup.sh", "restore.sh", "build-deb.sh"])
def test_the_shell_scripts_parse(script: str):
    path = SERVER / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    sh = shutil.which("sh")
    if sh is None:  # pragma: no cover - Windows
        pytest.skip("no sh")
    subprocess.run([sh, "-n", str(path)], check=True)


def test_purge_keeps_the_database():
    postrm = (SERVER / "postrm").read_text(encoding="utf-8")
    assert "/var/lib/counterapp" not in [line.split()[-1] for line in postrm.splitlines() if "rm -rf" in line]
    assert "dropdb" not in postrm and "DROP DATABASE" not in postrm.upper()


def test_the_server_says_its_version(capsys: pytest.CaptureFixture[str]):
    import counterapp

    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"counterapp-server {counterapp.__version__}\n"
