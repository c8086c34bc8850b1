"""Errors as ``application/problem+json`` (RFC 9457), each with a stable ``code`` clients can map to
translated text. Bodies never carry a traceback, a SQL statement or the input that was refused.

    {"type": "about:blank", "title": "Invalid input", "status": 422, "code": "validation.failed",
     "errors": [{"field": "applicant.id_number", "code": "cccd.length"}]}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.protocol.fields import storable

log = logging.getLogger("counterapp.server")
PROBLEM_JSON = "application/problem+json"


class ProblemFieldError(BaseModel):
    field: str | None = Field(description="the input's dotted path, e.g. `applicant.id_number` or `query.limit`")
    code: str = Field(description="what is wrong with it, e.g. `cccd.length` or `missing`")


class Problem(BaseModel):
    """An error answer (``application/problem+json``, RFC 9457), as ``problem_response`` writes it."""

    type: str = Field(default="about:blank")
    title: str
    status: int
    code: str = Field(description="stable, for clients to map to translated text, e.g. `auth.session_expired`")
    detail: str | None = Field(default=None, description="absent when the title says it all")
    errors: list[ProblemFieldError] | None = Field(default=None, description="the refused fields of the input")


PROBLEM_MODELS: tuple[type[BaseModel], ...] = (Problem, ProblemFieldError)  # added to the OpenAPI components


def problem(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry answered as ``Problem``, e.g. ``responses={404: problem("No such ticket")}``."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Every /v1 route may answer these (added by the app factory to each router): a body that is not text (FastAPI's
# own 400), a body over the limit, and input that does not parse or that a use case refuses
# (``_request_validation``, ``_domain_error``).
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem("Request body not readable, e.g. not UTF-8 (http.bad_request)"),
    413: problem("Request body too large (request.too_large)"),
    422: problem("Invalid request (request.invalid) or input refused by a rule"),
    503: problem("The database is unavailable (server.database_unavailable): nothing changed; retry"),
}


class ApiError(Exception):
    """Raise from a route for an answer other than 2xx, e.g.
    ``ApiError(404, "device.not_found", "No such device")``."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str = "",
        field: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail or title}")
        self.status, self.code, self.title, self.detail, self.field = status, code, title, detail, field
        self.headers = dict(headers or {})


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def http_code(status: int) -> str:
    """``http.not_found``, ``http.method_not_allowed``… for a bare HTTP status."""
    return "http." + status_phrase(status).lower().replace(" ", "_").replace("-", "_").replace("'", "")


def problem_response(
    status: int,
    code: str,
    title: str | None = None,
    detail: str = "",
    *,
    errors: Sequence[Mapping[str, str | None]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title or status_phrase(status), "status": status}
    body["code"] = code
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = [dict(e) for e in errors]
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def internal_error_response() -> JSONResponse:
    return problem_response(
        500, "server.error", detail="The server could not complete the request. The error was logged."
    )


def _field_of(location: Sequence[int | str]) -> str:
    """``("body", "applicant", "name")`` → ``applicant.name``; ``("query", "limit")`` → ``query.limit``.
    A key refused for its characters (a NUL, a lone surrogate) is named with them replaced: the answer
    must still be writable as UTF-8 JSON."""
    parts = [str(p) for p in location]
    if parts[:1] == ["body"] and len(parts) > 1:
        parts = parts[1:]
    return storable(".".join(parts), 200)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    errors = [{"field": exc.field, "code": exc.code}] if exc.field else None
    return problem_response(exc.status, exc.code, exc.title, exc.detail, errors=errors, headers=exc.headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, ValidationFailed):
        errors = [{"field": e.field, "code": e.code} for e in exc.errors]
        return problem_response(422, exc.code, "Invalid input", errors=errors)
    return problem_response(422, exc.code, "Request refused", str(exc))  # DomainError text holds no personal data


def request_validation_response(exc: RequestValidationError) -> JSONResponse:
    """422 ``request.invalid``, each refused field named with the rule it broke (``text.nul``,
    ``less_than_equal``…: ``counterapp.protocol.fields``)."""
    # Pydantic's own messages echo the input (personal data): only where and what kind of problem.
    errors = [{"field": _field_of(e.get("loc", ())), "code": str(e.get("type", "invalid"))} for e in exc.errors()]
    return problem_response(422, "request.invalid", "Invalid request", errors=errors)


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return request_validation_response(exc)


async def _http_exception(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = status_phrase(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else ""
    return problem_response(exc.status_code, http_code(exc.status_code), phrase, detail, headers=exc.headers)


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database connection failed (restarted, failed over, a killed backend): nothing was committed,
    so the client may simply retry — 503 with ``Retry-After``, not a 500 that looks like a bug."""
    log.warning("database unavailable (%s); answered 503", type(exc).__qualname__)
    return problem_response(
        503, "server.database_unavailable", "Try again", "The database is unavailable; nothing was changed.",
        headers={"Retry-After": "2"},
    )  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    """Problem+json for every handled error. Unhandled exceptions are answered by
    ``counterapp.server.middleware.CatchAllMiddleware`` (500 ``server.error``)."""
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)  # every connection busy: a moment later
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
