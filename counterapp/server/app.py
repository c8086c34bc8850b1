"""The FastAPI application factory.

``create_app`` refuses to start on a database that is not at this release's schema (run
``counterapp-server migrate``), keeps the engine and session factory on ``app.state`` (routes reach them
through ``counterapp.server.db.SessionDep``), answers every error as problem+json, and mounts each router
of ``counterapp.server.routes`` under ``/v1``. ``GET /healthz`` (outside ``/v1``) is for load balancers
and IT staff: 200 with the schema revision, or 503 problem+json.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

import counterapp
from counterapp.server import auth_first, routes
from counterapp.server.config import ServerSettings
from counterapp.server.db import make_engine, session_factory, writer_gate
from counterapp.server.errors import COMMON_ERRORS, PROBLEM_MODELS, install_error_handlers, problem, problem_response
from counterapp.server.events import EventHub
from counterapp.server.middleware import (
    BodyLimitMiddleware,
    CatchAllMiddleware,
    ServerTimingMiddleware,
    SyncThrottleMiddleware,
)
from counterapp.server.openapi_links import document_links
from counterapp.server.schema import check_migrated, head_revision

API_PREFIX = "/v1"
log = logging.getLogger("counterapp.server")


class Health(BaseModel):
    status: str  # "ok"
    database: str  # "sqlite" | "postgresql"
    revision: str  # the schema's Alembic revision


def operation_id(route: APIRoute) -> str:
    """``{tag}-{name}`` (e.g. ``auth-login``): stable ids for generated clients."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def load_routers() -> list[Any]:
    """Every router of ``counterapp.server.routes``: each module there appends its own to ``ROUTERS``."""
    for module in pkgutil.iter_modules(routes.__path__):
        importlib.import_module(f"{routes.__name__}.{module.name}")
    unique: list[Any] = []
    for router in routes.ROUTERS:
        if all(router is not seen for seen in unique):
            unique.append(router)
    return unique


def document_problems(app: FastAPI) -> None:
    """Add the problem+json models (``counterapp.server.errors.problem``'s ``$ref``) to ``app``'s OpenAPI
    components: FastAPI registers only models it sees as ``application/json`` bodies."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()  # cached by FastAPI as app.openapi_schema: completed in place
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in PROBLEM_MODELS:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schema.pop("$defs", None)  # each model is a component of its own
            schemas[model.__name__] = schema
        return document

    app.openapi = openapi  # type: ignore[method-assign]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The live-event hub of this process (``counterapp.server.events``) runs while the app does."""
    hub = EventHub(app.state.engine)
    app.state.events = hub
    await hub.start(end_streams_on_exit_signals=True)
    try:
        yield
    finally:
        await hub.stop()


def create_app(settings: ServerSettings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The server over ``engine`` (or one made from ``settings.database_url``). Raises
    ``counterapp.server.schema.DatabaseNotMigrated`` when the database's schema is not this release's."""
    if settings is None:
        url = None if engine is None else engine.url.render_as_string(hide_password=False)
        settings = ServerSettings() if url is None else ServerSettings(database_url=url)
    engine = engine if engine is not None else make_engine(settings.database_url)
    check_migrated(engine)

    app = FastAPI(
        title="counterapp server",
        version=counterapp.__version__,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.writer_gate = writer_gate(engine)

    install_error_handlers(app)
    app.add_exception_handler(RequestValidationError, auth_first.request_validation)  # 401 before 422
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SyncThrottleMiddleware, limit=settings.sync_concurrency)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(ServerTimingMiddleware)  # added last: the outermost, so even a 500 is timed

    for router in load_routers():
        app.include_router(router, prefix=API_PREFIX, responses=COMMON_ERRORS)
    document_problems(app)
    document_links(app)

    @app.get("/healthz", tags=["health"], response_model=Health, responses={503: problem("Unhealthy")})
    def healthz(request: Request) -> Health | JSONResponse:
        """The database answers and is at this release's schema revision."""
        db: Engine = request.app.state.engine
        try:
            with db.connect() as connection:
                connection.execute(text("SELECT 1"))
                revision = MigrationContext.configure(connection).get_current_revision()
        except SQLAlchemyError as exc:
            log.warning("health check: the database does not answer (%s)", type(exc).__qualname__)
            return problem_response(503, "health.database", "Database unavailable", "The database does not answer.")
        if revision != head_revision():
            detail = f"The database is at revision {revision}, this server needs {head_revision()}."
            return problem_response(503, "health.schema", "Database schema mismatch", detail)
        return Health(status="ok", database=db.dialect.name, revision=revision)

    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several worker processes): settings from the environment."""
    app = create_app(ServerSettings())
    gc.collect()  # as ``counterapp-server serve`` does for one worker (``cli.settle_memory``)
    gc.freeze()
    return app
