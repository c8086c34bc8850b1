"""The server's foundation on SQLite and PostgreSQL: the real migrations, the refusal to run on a database
of another schema, /healthz and the OpenAPI document."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.app import create_app, load_routers
from counterapp.server.db import make_engine
from counterapp.server.models import Base
from counterapp.server.models.org import Centre
from counterapp.server.schema import (
    DatabaseNotMigrated,
    alembic_config,
    check_migrated,
    current_revision,
    head_revision,
    migrate,
)
from tests.ports import free_port

PROBLEM = "application/problem+json"
NOW = datetime(2025, 8, 29, 8, 0, tzinfo=UTC)


def test_the_real_migrations_build_the_models_schema_and_go_back_down(server_db: str):
    # GIVEN an empty database
    engine = make_engine(server_db)
    try:
        assert current_revision(engine) is None
        # WHEN the Alembic migrations run
        migrate(engine)
        # THEN it is at the head and the models and the migrations agree exactly
        assert current_revision(engine) == head_revision() == check_migrated(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
        # AND the downgrade leaves nothing behind, and upgrading again works
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrating_an_up_to_date_database_changes_nothing(
    server_engine: Engine, server_sessions: sessionmaker[Session]
):
    with server_sessions.begin() as session:
        session.add(Centre(id="c1", agency_code="000.00.01.H26", name="Trung tâm", created_at=NOW))
    migrate(server_engine)
    with server_sessions() as session:
        assert session.scalars(select(Centre.name)).all() == ["Trung tâm"]


def test_the_constraint_names_are_unique_so_postgresql_accepts_the_schema(server_engine: Engine):
    names = [uc["name"] for uc in inspect(server_engine).get_unique_constraints("queue_services")]
    assert sorted(names) == ["uq_queue_services_centre_id_code", "uq_queue_services_centre_id_prefix"]


def test_the_app_refuses_an_empty_database_with_a_clear_message(server_db: str):
    engine = make_engine(server_db)
    try:
        with pytest.raises(DatabaseNotMigrated) as caught:
            create_app(engine=engine)
    finally:
        engine.dispose()
    message = str(caught.value)
    assert message.startswith("the database at ")
    assert f"has no schema yet, this server needs {head_revision()}: run 'counterapp-server migrate'" in message
    assert caught.value.current is None


def test_the_app_refuses_a_database_written_by_a_newer_release(server_engine: Engine):
    with server_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseNotMigrated, match="is at revision 9999, which this server does not know"):
        create_app(engine=server_engine)


def test_healthz_answers_with_the_database_and_its_revision(client: TestClient, server_engine: Engine):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": server_engine.dialect.name, "revision": head_revision()}


def test_healthz_is_503_when_the_database_is_gone(server_db: str, tmp_path: Path):
    # GIVEN a healthy server
    if server_db.startswith("sqlite"):
        directory = tmp_path / "gone"
        engine = make_engine(f"sqlite:///{directory / 'server.sqlite3'}")
    else:
        engine = make_engine(server_db)
    migrate(engine)
    app = create_app(engine=engine)
    # WHEN its database disappears: the SQLite file's directory is deleted; PostgreSQL stops answering
    engine.dispose()
    if server_db.startswith("sqlite"):
        shutil.rmtree(directory)
    else:
        app.state.engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test")
    # THEN /healthz says so as problem+json, without internals
    with TestClient(app) as client:
        response = client.get("/healthz")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "health.database"
    assert body["status"] == 503
    assert "Traceback" not in response.text and "sqlite3" not in response.text and "psycopg" not in response.text


def test_healthz_is_503_when_the_schema_changed_under_a_running_server(client: TestClient, server_engine: Engine):
    with server_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["code"] == "health.schema"


def test_the_openapi_document_lists_every_route_with_stable_ids(server_engine: Engine):
    client = TestClient(create_app(engine=server_engine))
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["paths"]["/healthz"]["get"]["operationId"] == "health-healthz"
    for router in load_routers():  # whatever the routes package holds, mounted under /v1 with {tag}-{name} ids
        for route in router.routes:
            path = "/v1" + getattr(route, "path", "")
            assert path in document["paths"], path
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
