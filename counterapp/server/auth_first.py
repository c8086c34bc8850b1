"""Who is asking comes before what was asked (issue 15, point 9a): a request to a route that needs a device
credential, whose input fails validation, is answered 401/403 when its credential does not hold, and 422
only when it does.

Why here, in one place: FastAPI decodes a JSON body before any dependency runs, and validates the body
with the route's other parameters; a route that authenticates inside its own thread hop for speed
(``POST /v1/tickets``, ``POST /v1/queue/call-next``: no ``CurrentDevice`` dependency) runs nothing before
that. So ``POST /v1/tickets`` with no credential and ``{}`` was told 422 — an anonymous caller learnt what
the route expects, and could probe its validation, before being asked who it is. Checking the credential
when a validation error is about to be answered covers every authenticated route the same way (those with
the dependency already get 401 first: FastAPI solves dependencies before validating the body, but not
before decoding it), and costs a valid request nothing.

A route "needs a device" when its dependencies read the ``Authorization`` header (``auth.AuthorizationHeader``,
directly or through ``CurrentDevice``), found once per route. The check is the routes' own
(``auth.authenticate``: 401 without or with a wrong credential, 403 for a revoked device), on a session of
its own that writes nothing. A staff session is not checked here: the route's own answer (401
``auth.session_required``) comes after its input is valid, as before.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError

from counterapp.server.auth import authenticate
from counterapp.server.errors import ApiError, problem_response, request_validation_response

AUTHORIZATION = "authorization"
# by route (path template and methods: the same in every app this process builds)
_NEEDS_DEVICE: dict[tuple[str, frozenset[str]], bool] = {}


def reads_authorization(dependant: Dependant) -> bool:
    """Whether ``dependant`` or any of its sub-dependencies takes the ``Authorization`` header."""
    if any(param.alias.lower() == AUTHORIZATION for param in dependant.header_params):
        return True
    return any(reads_authorization(sub) for sub in dependant.dependencies)


def needs_device(route: APIRoute) -> bool:
    key = (route.path_format, frozenset(route.methods or ()))
    found = _NEEDS_DEVICE.get(key)
    if found is None:
        found = _NEEDS_DEVICE[key] = reads_authorization(route.dependant)
    return found


def _refusal(request: Request) -> ApiError | None:
    """The route's own answer to the request's device credential, if it does not hold."""
    with request.app.state.sessions() as session:
        try:
            authenticate(session, request.headers.get(AUTHORIZATION), None)
        except ApiError as refused:
            return refused
        finally:
            session.rollback()
    return None


async def request_validation(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler of ``RequestValidationError``: 401/403 first where the route needs a device."""
    assert isinstance(exc, RequestValidationError)
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and needs_device(route):
        try:
            refused = await run_in_threadpool(_refusal, request)
        except SQLAlchemyError:  # the database cannot say who it is: as any request would be then
            return problem_response(
                503, "server.database_unavailable", "Try again", "The database is unavailable; nothing was changed.",
                headers={"Retry-After": "2"},
            )  # fmt: skip
        if refused is not None:
            errors = [{"field": refused.field, "code": refused.code}] if refused.field else None
            return problem_response(
                refused.status, refused.code, refused.title, refused.detail, errors=errors, headers=refused.headers
            )
    return request_validation_response(exc)
