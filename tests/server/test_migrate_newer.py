"""An older server release over a database a newer one migrated (a downgraded package, a newer backup
restored): ``migrate`` (the unit's ExecStartPre) and ``serve`` refuse in one line and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from counterapp.server import cli
from counterapp.server.db import make_engine
from tests.server.test_cli import revision_of


def test_an_older_release_refuses_a_newer_database_in_one_line(server_db: str, capsys: pytest.CaptureFixture[str]):
    assert cli.main(["migrate", "--database-url", server_db]) == 0
    engine = make_engine(server_db)
    with engine.begin() as connection:  # as a later release would leave it
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["migrate", "--database-url", server_db]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is at revision 0999, newer than this release knows" in err
    assert revision_of(server_db) == "0999"
    assert cli.main(["serve", "--database-url", server_db]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "which this server does not know (written by a newer release?)" in err
