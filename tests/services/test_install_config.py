"""The installer's config (``counterapp.services.install_config``): the format the Windows installer and IT
write, the paths, NFC, and an error naming the key for each broken value."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from counterapp.services.install_config import (
    InstallConfigError,
    config_path,
    read_install_config,
)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "counter.conf"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_installers_file_is_read_whole(tmp_path: Path) -> None:
    # GIVEN what `counterapp-setup.exe /S /SERVER=… /CODE=… /COUNTER=5` writes
    path = write(tmp_path, "[enroll]\nserver = https://hcc.example/\ncode = K7QX-M2PD-9HTC\ncounter = 5\n")
    # WHEN it is read
    config = read_install_config(path)
    # THEN every value is there, the server without its trailing slash, and it is complete
    assert config is not None
    assert (config.server, config.code, config.counter) == ("https://hcc.example", "K7QX-M2PD-9HTC", "5")
    assert config.complete


def test_a_missing_file_is_no_config(tmp_path: Path) -> None:
    assert read_install_config(tmp_path / "absent.conf") is None


def test_server_alone_prefills_but_is_not_complete(tmp_path: Path) -> None:
    config = read_install_config(write(tmp_path, "[enroll]\nserver=http://10.0.0.5:8765\n"))
    assert config is not None and config.server == "http://10.0.0.5:8765"
    assert not config.complete and config.code == "" and config.counter == ""


def test_a_notepad_bom_and_upper_case_keys_are_accepted(tmp_path: Path) -> None:
    text = "[enroll]\r\nSERVER = https://hcc.example\r\nCode = K7QX-M2PD-9HTC\r\n"
    path = write(tmp_path, text, encoding="utf-8-sig")
    config = read_install_config(path)
    assert config is not None and config.complete


def test_values_are_nfc(tmp_path: Path) -> None:
    # a host name typed with combining marks (an IDN) comes back precomposed
    decomposed = unicodedata.normalize("NFD", "https://hành-chính.example")
    config = read_install_config(write(tmp_path, f"[enroll]\nserver = {decomposed}\ncode = AB12\n"))
    assert config is not None
    assert config.server == unicodedata.normalize("NFC", "https://hành-chính.example")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[enroll]\nserver = hcc.example\n", "server"),
        ("[enroll]\nserver = ftp://hcc.example\n", "server"),
        ("[enroll]\nserver = https://\n", "server"),
        ("[enroll]\nserver = https://hcc.example\ncode = K7QX;rm -rf\n", "code"),
        ("[enroll]\nserver = https://hcc.example\ncode = AB12\ncounter = 5 B\n", "counter"),
        ("[enroll]\ncounter = 12345678901\n", "counter"),
        ("[other]\nserver = https://hcc.example\n", "[enroll]"),
        ("server = https://hcc.example\n", "file"),
        ("[enroll]\nserver = a\nserver = b\n", "file"),
    ],
)
def test_a_broken_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InstallConfigError) as raised:
        read_install_config(path)
    assert raised.value.params["key"] == key
    assert str(path) in str(raised.value)


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "[enroll]\nserver = https://hcc.example\ncode = Đ\n", encoding="cp1258")
    with pytest.raises(InstallConfigError, match="UTF-8") as raised:
        read_install_config(path)
    assert raised.value.params["key"] == "file"


def test_paths() -> None:
    assert config_path({"COUNTERAPP_CONFIG": "/tmp/x.conf"}, "linux") == Path("/tmp/x.conf")
    assert config_path({}, "linux") == Path("/etc/counterapp/counter.conf")
    assert config_path({"ProgramData": r"D:\PD"}, "win32") == Path(r"D:\PD") / "counterapp" / "counter.conf"
    assert config_path({}, "win32") == Path(r"C:\ProgramData") / "counterapp" / "counter.conf"


def test_the_environment_variable_is_the_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[enroll]\nserver = https://hcc.example\ncode = AB12\n")
    monkeypatch.setenv("COUNTERAPP_CONFIG", str(path))
    config = read_install_config()
    assert config is not None and config.path == path
