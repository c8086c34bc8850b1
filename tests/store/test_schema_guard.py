"""Upgrades of the data directory (issue 17 point 6): a newer build migrates an older directory in place and
records itself; an older build refuses a directory whose schema it does not know, in one line that says
which version to install — in the store, the CLI and the window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from counterapp.cli.main import main
from counterapp.store import cache_key
from counterapp.store.database import DB_FILENAME, HEAD_REVISION, current_revision, open_store
from counterapp.store.errors import DataDirectoryTooNew
from counterapp.store.schema_guard import decode_version, encode_version, written_by
from tests.counter import counter_store

FUTURE = f"{int(HEAD_REVISION) + 1:04d}"


@contextmanager
def raw_cache(data_dir: Path) -> Iterator[Any]:
    """A bare connection to the directory's (encrypted) cache, as another build of counterapp would have."""
    connection = cache_key.connect(data_dir / DB_FILENAME, cache_key.cache_key(data_dir, create=False))
    try:
        yield connection
    finally:
        connection.close()


def bump_to_future(data_dir: Path, *, written_by_version: str | None = "9.4.2") -> None:
    """As a newer build would leave the directory: its revision in alembic_version, its version in the header."""
    with raw_cache(data_dir) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))
        connection.execute("CREATE TABLE future_things (id INTEGER PRIMARY KEY)")  # a table this build lacks
        number = encode_version(written_by_version) if written_by_version else 0
        connection.execute(f"PRAGMA user_version = {number}")


def test_versions_round_trip_through_the_header_number():
    assert encode_version("0.1.0") == 1_000 and decode_version(1_000) == "0.1.0"
    assert decode_version(encode_version("2.13.4")) == "2.13.4"
    assert encode_version("1.2.0.dev3") == encode_version("1.2.0")
    assert decode_version(0) is None


def test_a_new_directory_records_the_build_that_created_it(tmp_path: Path):
    store = open_store(tmp_path)
    try:
        assert current_revision(store.write_engine) == HEAD_REVISION
        assert written_by(store.write_engine) == __import__("counterapp").__version__
    finally:
        store.close()


def test_a_directory_at_the_previous_schema_is_migrated_and_marked(tmp_path: Path):
    previous = f"{int(HEAD_REVISION) - 1:04d}"
    store = open_store(tmp_path, migrate_to=previous)
    store.close()
    with raw_cache(tmp_path) as connection:  # as the previous release left it: unmarked
        connection.execute("PRAGMA user_version = 0")
    store = open_store(tmp_path)  # the newer build
    try:
        assert current_revision(store.write_engine) == HEAD_REVISION
        assert written_by(store.write_engine) is not None
    finally:
        store.close()


def test_a_directory_written_by_a_newer_build_is_refused_untouched(tmp_path: Path):
    counter_store(tmp_path).close()
    bump_to_future(tmp_path)
    before = (tmp_path / DB_FILENAME).read_bytes()
    with pytest.raises(DataDirectoryTooNew) as refused:
        open_store(tmp_path)
    assert str(refused.value) == (
        f"this data directory was written by a newer counterapp (schema {int(FUTURE)}); install version ≥ 9.4.2"
    )
    assert refused.value.code == "store.data_dir_too_new"
    assert (tmp_path / DB_FILENAME).read_bytes() == before  # nothing migrated down, nothing written


def test_without_a_recorded_version_the_line_still_says_what_to_do(tmp_path: Path):
    counter_store(tmp_path).close()
    bump_to_future(tmp_path, written_by_version=None)
    with pytest.raises(DataDirectoryTooNew, match=r"\(schema \d+\); install the newer version again$"):
        open_store(tmp_path)


def test_the_cli_refuses_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    counter_store(tmp_path).close()
    bump_to_future(tmp_path)
    assert main(["outbox", "count", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"counterapp: error: this data directory was written by a newer counterapp (schema {int(FUTURE)}); "
        "install version ≥ 9.4.2\n"
    )
