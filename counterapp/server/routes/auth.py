"""Devices, staff sessions, who am I, and the centre's counters (whose reassignment proves the roles).

POST   /v1/devices/enroll                        {code, name?, app_version?, public_key?, first_client_seq?} →
                                                 device credential (once) and push watermark; wrong codes
                                                 throttled per address (429 auth.throttled)
PUT    /v1/devices/key             (device)      {public_key} → registers the key of a device that has none
POST   /v1/sessions                (device)      {username, password} → staff token (once); wrong passwords
                                                 throttled per account and per device (429 auth.throttled)
DELETE /v1/sessions/current        (device+staff)
GET    /v1/me                      (device[, staff])
GET    /v1/centre/counters         (device+staff)
PUT    /v1/centre/counters/{number}/services  (device+lead|admin)  {services: [code…]} → bumps the epoch
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from counterapp.domain.errors import DomainError
from counterapp.protocol.fields import Line, Secret
from counterapp.server.auth import (
    STAFF_HEADER,
    CurrentDevice,
    OptionalStaff,
    Staff,
    current_staff,
    http_error,
    require_role,
    same_centre,
    session_ttl,
    utcnow,
)
from counterapp.server.db import SessionDep
from counterapp.server.errors import ApiError, problem
from counterapp.server.events import publish_after_commit
from counterapp.server.models.auth import Device, User
from counterapp.server.models.org import Centre, Counter
from counterapp.server.routes import ROUTERS
from counterapp.server.services import devices as device_service
from counterapp.server.services import org
from counterapp.server.services import sessions as session_service
from counterapp.server.services.common import as_utc
from counterapp.server.services.errors import InvalidCredentials, Throttled
from counterapp.server.services.org import CounterView
from counterapp.server.services.users import user_by_username

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])


DEVICE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem("No or wrong device credential"),
    403: problem("Device revoked"),
}
STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    **DEVICE_ERRORS,
    401: problem("No, wrong or expired device credential or staff session"),
}


# --- models --------------------------------------------------------------------------------------------


class CentreOut(BaseModel):
    id: str
    agency_code: str
    name: str


class CounterRef(BaseModel):
    id: str
    number: str
    name: str


class EnrollIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "K7QX-M2PD-9HTC", "app_version": "0.9.0"}]})
    code: Line = Field(
        max_length=40, description="the one-time code printed by `counterapp-server admin create-device`"
    )
    name: Line | None = Field(default=None, max_length=100)
    app_version: Line = Field(default="", max_length=20)
    public_key: Line | None = Field(
        default=None,
        min_length=43,
        max_length=43,
        description="the device's Ed25519 public key (base64url, 32 bytes): it verifies the device's outbox "
        "exports; absent from apps older than device keys, which register one with `PUT /v1/devices/key`",
    )
    first_client_seq: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        strict=True,
        description="the lowest client_seq of the ops the enrolling data directory already holds (one that "
        "worked standalone): at or below the device's push watermark the enrollment is refused with 409 "
        "`enrollment.sequence_taken` before the code is spent; absent from a fresh directory and older apps",
    )


class DeviceKeyIn(BaseModel):
    public_key: Line = Field(min_length=43, max_length=43, description="Ed25519 public key, base64url of 32 bytes")


class DeviceKeyOut(BaseModel):
    public_key: str


class EnrollOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "device_id": "01935c1e-8c4a-7b1e-9f00-3a2b1c0d4e5f",
                    "credential": "q8hX…(43 characters; store it in the OS keystore, it is shown once)",
                    "kind": "counter",
                    "centre": {"id": "01935c1e-…", "agency_code": "000.00.01.H26", "name": "Trung tâm …"},
                    "counter": {"id": "01935c1e-…", "number": "5", "name": ""},
                }
            ]
        }
    )
    device_id: str
    credential: str = Field(description="send as `Authorization: Device <device_id>.<credential>`; shown once")
    kind: str
    centre: CentreOut
    counter: CounterRef | None
    last_client_seq: int = Field(
        default=0,
        description="the device's push watermark: a fresh data directory numbers its ops after it, so a "
        "device enrolled again on a new PC (a reissued code) continues its sequence; absent from older "
        "servers (read as 0)",
    )


class LoginIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "demo.clerk", "password": "…"}]})
    username: Line = Field(max_length=60)
    password: Secret = Field(max_length=1024)


class UserOut(BaseModel):
    id: str
    username: str
    full_name: str
    role: str


class LoginOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "Zr3…(send as X-Staff-Session; shown once)",
                    "expires_at": "2025-03-14T13:30:00Z",
                    "user": {
                        "id": "01935c1e-…",
                        "username": "demo.clerk",
                        "full_name": "Nguyễn Thị Lan",
                        "role": "clerk",
                    },
                }
            ]
        }
    )
    token: str
    expires_at: datetime
    user: UserOut


class DeviceOut(BaseModel):
    id: str
    kind: str
    name: str
    centre: CentreOut
    counter: CounterRef | None


class StaffOut(BaseModel):
    user: UserOut
    session_expires_at: datetime


class MeOut(BaseModel):
    device: DeviceOut
    staff: StaffOut | None


class ServiceOut(BaseModel):
    code: str
    prefix: str
    name_vi: str
    name_en: str


class CounterOut(BaseModel):
    id: str
    number: str
    name: str
    status: str
    epoch: int = Field(description="bumped on every reassignment; a device holding an older epoch is stale")
    services: list[ServiceOut]


class AssignIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"services": ["HTCT", "KD"]}]})
    services: list[Line] = Field(max_length=50, description="queue service codes of this centre")


# --- helpers -------------------------------------------------------------------------------------------


def _centre(centre: Centre) -> CentreOut:
    return CentreOut(id=centre.id, agency_code=centre.agency_code, name=centre.name)


def _counter_ref(counter: Counter | None) -> CounterRef | None:
    return None if counter is None else CounterRef(id=counter.id, number=counter.number, name=counter.name)


def _user(user: User) -> UserOut:
    return UserOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role)


def _device(session: SessionDep, device: Device) -> DeviceOut:
    centre = session.get(Centre, device.centre_id)
    assert centre is not None  # foreign key
    counter = session.get(Counter, device.counter_id) if device.counter_id else None
    return DeviceOut(
        id=device.id, kind=device.kind, name=device.name, centre=_centre(centre), counter=_counter_ref(counter)
    )


def _counter_out(view: CounterView) -> CounterOut:
    c = view.counter
    services = [ServiceOut(code=s.code, prefix=s.prefix, name_vi=s.name_vi, name_en=s.name_en) for s in view.services]
    return CounterOut(id=c.id, number=c.number, name=c.name, status=c.status, epoch=c.epoch, services=services)


# --- routes --------------------------------------------------------------------------------------------


def throttled(exc: Throttled) -> ApiError:
    """429 ``auth.throttled`` with ``Retry-After``: the counter shows "try again in N s"."""
    detail = f"Too many failed attempts: try again in {exc.seconds} s."
    return ApiError(429, exc.code, "Too many attempts", detail, headers={"Retry-After": str(exc.seconds)})


@router.post(
    "/devices/enroll",
    response_model=EnrollOut,
    responses={
        401: problem("Unknown, used or expired code"),
        403: DEVICE_ERRORS[403],
        429: problem("Too many wrong codes from this address (auth.throttled): retry after Retry-After"),
    },
)
def enroll(body: EnrollIn, request: Request, session: SessionDep, response: Response) -> EnrollOut:
    """Trade a one-time enrollment code for this device's credential (no other authentication). Wrong codes
    are throttled per client address (``counterapp.server.services.throttle``)."""
    address = request.client.host if request.client is not None else "unknown"
    try:
        device, credential = device_service.enroll_throttled(
            session, body.code, address, app_version=body.app_version, name=body.name, public_key=body.public_key,
            first_client_seq=body.first_client_seq, now=utcnow(),
        )  # fmt: skip
    except Throttled as exc:
        raise throttled(exc) from None
    except DomainError as exc:
        if exc.code.startswith("enrollment.code_"):
            session.commit()  # the failure's throttle count (nothing else was written)
        raise http_error(exc) from None
    out = _device(session, device)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return EnrollOut(
        device_id=device.id, credential=credential, kind=device.kind, centre=out.centre, counter=out.counter,
        last_client_seq=device.last_client_seq,
    )  # fmt: skip


@router.put(
    "/devices/key",
    response_model=DeviceKeyOut,
    responses={
        **DEVICE_ERRORS,
        409: problem("The device already registered another key (device.key_exists): re-enroll to replace it"),
    },
)
def register_key(body: DeviceKeyIn, session: SessionDep, device: CurrentDevice) -> DeviceKeyOut:
    """Register this device's Ed25519 public key, once (a device enrolled before device keys): it verifies
    the device's outbox exports. The same key again is fine; another one is refused."""
    try:
        device_service.register_key(session, device, body.public_key)
    except DomainError as exc:
        session.rollback()
        if exc.code == "device.key_exists":
            raise ApiError(409, exc.code, "Another key is registered", str(exc)) from None
        raise http_error(exc) from None
    session.commit()
    return DeviceKeyOut(public_key=body.public_key)


@router.post(
    "/sessions",
    status_code=201,
    response_model=LoginOut,
    responses={
        **STAFF_ERRORS,
        429: problem("Too many wrong passwords for this account or on this device (auth.throttled): Retry-After"),
    },
)
def login(
    body: LoginIn,
    session: SessionDep,
    device: CurrentDevice,
    ttl: Annotated[timedelta, Depends(session_ttl)],
    response: Response,
) -> LoginOut:
    """A staff member logs in on this device (their centre's, or any for a city admin)."""
    try:
        token, expires_at = session_service.login(session, body.username, body.password, device, now=utcnow(), ttl=ttl)
    except Throttled as exc:
        session.rollback()
        raise throttled(exc) from None
    except DomainError as exc:
        if isinstance(exc, InvalidCredentials):
            session.commit()  # the failure's throttle count and any lockout notice (nothing else was written)
        else:
            session.rollback()
        raise http_error(exc) from None
    user = user_by_username(session, body.username)
    assert user is not None
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return LoginOut(token=token, expires_at=expires_at, user=_user(user))


@router.delete("/sessions/current", status_code=204, responses={**STAFF_ERRORS}, dependencies=[Depends(current_staff)])
def logout(
    session: SessionDep,
    device: CurrentDevice,
    token: Annotated[str, Header(alias=STAFF_HEADER, include_in_schema=False)],
) -> Response:
    """End this staff session; the token no longer works."""
    session_service.logout(session, token.strip(), device, now=utcnow())
    session.commit()
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, responses={**STAFF_ERRORS})
def me(session: SessionDep, device: CurrentDevice, staff: OptionalStaff) -> MeOut:
    """This device and, if a session is sent, who is logged in on it."""
    staff_out = None
    if staff is not None:
        staff_out = StaffOut(user=_user(staff.user), session_expires_at=as_utc(staff.session.expires_at))
    return MeOut(device=_device(session, device), staff=staff_out)


@router.get(
    "/centre/counters",
    response_model=list[CounterOut],
    responses={**STAFF_ERRORS},
    dependencies=[Depends(current_staff)],
)
def list_counters(session: SessionDep, device: CurrentDevice) -> list[CounterOut]:
    """The counters of this device's centre with the services each serves."""
    return [_counter_out(view) for view in org.list_counters(session, device.centre_id)]


@router.put(
    "/centre/counters/{number}/services",
    response_model=CounterOut,
    responses={
        **STAFF_ERRORS,
        403: problem("Device revoked, or role not allowed"),
        404: problem("No such counter in this centre"),
    },
)
def reassign(
    number: Line,
    body: AssignIn,
    session: SessionDep,
    device: CurrentDevice,
    staff: Annotated[Staff, Depends(require_role("lead", "admin"))],
) -> CounterOut:
    """Make the counter serve exactly these services (lead or admin); bumps the counter's epoch."""
    try:
        counter = org.counter_by_number(session, device.centre_id, number)
        same_centre(device, counter.centre_id)
        services = org.services_by_codes(session, device.centre_id, body.services)
        org.assign(session, counter, services)
    except DomainError as exc:
        session.rollback()
        raise http_error(exc) from None
    view = org.counter_view(session, counter)
    services_codes = [s.code for s in view.services]
    data = {"counter": counter.number, "counter_id": counter.id, "epoch": counter.epoch, "services": services_codes}
    publish_after_commit(session, device.centre_id, "assignment.changed", data)
    session.commit()
    log.info("user %s reassigned counter %s (epoch %s)", staff.user.id, counter.id, counter.epoch)
    return _counter_out(view)


ROUTERS.append(router)
