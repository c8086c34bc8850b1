"""FastAPI dependencies for who is asking.

A request carries two things: the **device** (``Authorization: Device <device_id>.<credential>``), whose
enrollment fixes the request's centre — never a payload — and, where a person acts, the **staff session**
on that device (``X-Staff-Session: <token>``). Objects of another centre answer 404, not 403, so their
existence does not leak (``same_centre``).

    @router.put("/centre/counters/{number}/services")
    def reassign(session: SessionDep, device: CurrentDevice, staff: Annotated[Staff, Depends(require_role("lead"))]):
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError
from counterapp.server.models.auth import Device
from counterapp.server.permissions import role_allows
from counterapp.server.services import devices as device_service
from counterapp.server.services import sessions as session_service
from counterapp.server.services.sessions import Staff

__all__ = [
    "CurrentDevice",
    "CurrentStaff",
    "OptionalStaff",
    "Staff",
    "http_error",
    "require_action",
    "require_role",
    "role_allows",
    "same_centre",
]

DEVICE_SCHEME = "Device"
STAFF_HEADER = "X-Staff-Session"

# Domain error code → (HTTP status, title). Anything else is left to the app's DomainError handler (422).
_STATUS: dict[str, tuple[int, str]] = {
    "auth.device_invalid": (401, "Device not recognised"),
    "auth.device_revoked": (403, "Device revoked"),
    "auth.invalid_credentials": (401, "Wrong username or password"),
    "auth.user_inactive": (403, "Account deactivated"),
    "auth.wrong_centre": (403, "Account of another centre"),
    "auth.session_invalid": (401, "Not logged in"),
    "auth.session_expired": (401, "Session expired"),
    "auth.forbidden": (403, "Not allowed"),
    "enrollment.code_invalid": (401, "Unknown enrollment code"),
    "enrollment.code_used": (401, "Enrollment code already used"),
    "enrollment.code_expired": (401, "Enrollment code expired"),
    "enrollment.sequence_taken": (409, "Sequence numbers already used by this device"),
    "centre.not_found": (404, "No such centre"),
    "counter.not_found": (404, "No such counter"),
    "device.not_found": (404, "No such device"),
    "user.not_found": (404, "No such user"),
    "centre.exists": (409, "Already exists"),
    "counter.exists": (409, "Already exists"),
    "service.exists": (409, "Already exists"),
    "user.exists": (409, "Already exists"),
    "code.sequence_exhausted": (409, "Numbers used up"),
}


def http_error(exc: DomainError) -> ApiError | DomainError:
    """The API answer for a use case's error: an ``ApiError`` with the right status, or the error itself
    (answered 422 by the app's handler) when it is an input problem."""
    mapped = _STATUS.get(exc.code)
    if mapped is None:
        return exc
    status, title = mapped
    headers = {"WWW-Authenticate": DEVICE_SCHEME} if status == 401 and exc.code.startswith("auth.device") else None
    return ApiError(status, exc.code, title, headers=headers)


def utcnow() -> datetime:
    return datetime.now(UTC)


def session_ttl(request: Request) -> timedelta:
    ttl = getattr(getattr(request.app.state, "settings", None), "session_ttl", None)
    return ttl if isinstance(ttl, timedelta) else session_service.SESSION_TTL


def parse_device_header(value: str | None) -> tuple[str, str] | None:
    """``Device <device_id>.<credential>`` → (device_id, credential); ``None`` when absent or malformed."""
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    device_id, dot, credential = rest.strip().partition(".")
    if scheme.lower() != DEVICE_SCHEME.lower() or not dot or not device_id or not credential:
        return None
    return device_id, credential


AuthorizationHeader = Annotated[str | None, Header(alias="authorization", include_in_schema=False)]
StaffHeader = Annotated[str | None, Header(alias=STAFF_HEADER, include_in_schema=False)]


def authenticate(session: Session, authorization: str | None, staff_token: str | None) -> Device:
    """The device of ``Authorization: Device <id>.<credential>`` (401/403 otherwise), with ``staff_token``'s
    staff session loaded in the same read (checked later by the routes that need staff)."""
    if not authorization:
        raise ApiError(
            401, "auth.device_required", "Device credential required", headers={"WWW-Authenticate": DEVICE_SCHEME}
        )
    parsed = parse_device_header(authorization)
    if parsed is None:
        raise ApiError(401, "auth.device_invalid", "Device not recognised", headers={"WWW-Authenticate": DEVICE_SCHEME})
    try:
        return device_service.authenticate_device(session, *parsed, staff_token=(staff_token or "").strip())
    except DomainError as exc:
        raise http_error(exc) from None


def current_device(
    session: SessionDep, authorization: AuthorizationHeader = None, x_staff_session: StaffHeader = None
) -> Device:
    return authenticate(session, authorization, x_staff_session)


def resolve_staff(session: Session, device: Device, token: str | None) -> Staff | None:
    """What ``OptionalStaff`` gives, for a route that checks it on its own thread: the staff member of
    ``token`` on ``device`` (401 for a wrong or expired one), ``None`` without a token."""
    if not token:
        return None
    token = token.strip()
    try:
        staff = session_service.resolve_loaded(session, token, device, now=utcnow())
        return staff or session_service.resolve(session, token, device, now=utcnow())
    except DomainError as exc:
        raise http_error(exc) from None


def staff_allowed(session: Session, device: Device, token: str | None, action: str) -> Staff:
    """What ``require_action(action)`` gives, for a route that checks it on its own thread: the logged-in
    staff member (401 without a valid session) if their role allows ``action`` (403 otherwise)."""
    staff = logged_in(resolve_staff(session, device, token))
    check_action(staff, action)
    return staff


def logged_in(staff: Staff | None) -> Staff:
    """``staff``, or 401 ``auth.session_required`` when the request named no staff session."""
    if staff is None:
        raise ApiError(401, "auth.session_required", "Staff login required")
    return staff


def check_action(staff: Staff, action: str) -> None:
    if not role_allows(staff.user.role, action):
        raise ApiError(403, "auth.forbidden", "Not allowed", "Your role does not allow this.")


CurrentDevice = Annotated[Device, Depends(current_device)]


async def _staff(session: Session, device: Device, token: str | None) -> Staff | None:
    """``resolve_staff`` without a hop to the threadpool in the common case: the device's read normally
    loaded the staff session too (``resolve_loaded``, no I/O); otherwise it is read there."""
    if token is None:
        return None
    try:
        staff = session_service.resolve_loaded(session, token.strip(), device, now=utcnow())
    except DomainError as exc:
        raise http_error(exc) from None
    return staff if staff is not None else await run_in_threadpool(resolve_staff, session, device, token)


async def current_staff(session: SessionDep, device: CurrentDevice, x_staff_session: StaffHeader = None) -> Staff:
    return logged_in(await _staff(session, device, x_staff_session or None))


async def optional_staff(
    session: SessionDep, device: CurrentDevice, x_staff_session: StaffHeader = None
) -> Staff | None:
    """The staff member if the request names a session (a wrong one is still 401); ``None`` otherwise."""
    return await _staff(session, device, x_staff_session or None)


CurrentStaff = Annotated[Staff, Depends(current_staff)]
OptionalStaff = Annotated[Staff | None, Depends(optional_staff)]


def require_role(*roles: str) -> Callable[[Staff], Awaitable[Staff]]:
    """A dependency: the logged-in staff member, if their role is one of ``roles`` (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(staff: CurrentStaff) -> Staff:  # async: no I/O, so no hop to the threadpool
        if staff.user.role not in allowed:
            raise ApiError(403, "auth.forbidden", "Not allowed", "Your role does not allow this.")
        return staff

    return dependency


def require_action(action: str) -> Callable[[Staff], Awaitable[Staff]]:
    """A dependency: the logged-in staff member, if ``role_allows`` their role ``action`` (403 otherwise)."""

    async def dependency(staff: CurrentStaff) -> Staff:  # async: no I/O, so no hop to the threadpool
        check_action(staff, action)
        return staff

    return dependency


def same_centre(device: Device, centre_id: str) -> None:
    """Raise 404 unless the object of ``centre_id`` is in the device's centre (no existence leak)."""
    if centre_id != device.centre_id:
        raise ApiError(404, "not_found", "Not found")
