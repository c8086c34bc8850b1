"""Devices (counter PCs, kiosks, display screens): created by an admin with a one-time enrollment code,
enrolled once by an installer typing that code, then authenticated by a random credential. The server
keeps only SHA-256 digests of codes and credentials."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from counterapp.domain.errors import ValidationFailed
from counterapp.protocol.device_key import InvalidKey, valid_public_key
from counterapp.server import security
from counterapp.server.models.auth import Device, EnrollmentCode, StaffSession, User
from counterapp.server.models.org import Centre, Counter
from counterapp.server.services import throttle
from counterapp.server.services.common import as_utc, keep, new_id, require_aware
from counterapp.server.services.errors import (
    DeviceInvalid,
    DeviceKeyExists,
    DeviceRevoked,
    EnrollmentCodeExpired,
    EnrollmentCodeInvalid,
    EnrollmentCodeUsed,
    NotFound,
    SequenceTaken,
)
from counterapp.server.services.sessions import remember_loaded

log = logging.getLogger(__name__)

KINDS = ("counter", "kiosk", "display")
ENROLLMENT_CODE_TTL = timedelta(hours=24)
MAX_APP_VERSION = 20


def device_by_id(session: Session, device_id: str) -> Device:
    device = session.get(Device, device_id) if device_id else None
    if device is None:
        raise NotFound("no such device", code="device.not_found")
    return device


def list_devices(session: Session, centre_id: str) -> list[Device]:
    return list(
        session.scalars(select(Device).where(Device.centre_id == centre_id).order_by(Device.created_at, Device.id))
    )


def create_device(
    session: Session,
    centre: Centre,
    *,
    kind: str,
    counter: Counter | None,
    name: str = "",
    now: datetime,
    code_ttl: timedelta = ENROLLMENT_CODE_TTL,
) -> tuple[Device, str, datetime]:
    """A new device of ``centre`` and its one-time enrollment code in plain text (shown once, stored only
    as a digest), with the code's expiry."""
    if kind not in KINDS:
        raise ValidationFailed.single("kind", "device.kind_invalid")
    if counter is not None and counter.centre_id != centre.id:
        raise NotFound("no such counter", code="counter.not_found")
    at = require_aware(now)
    device = Device(
        id=new_id(),
        centre_id=centre.id,
        counter_id=counter.id if counter is not None else None,
        kind=kind,
        name=" ".join(name.split()),
        secret_hash=None,
        last_client_seq=0,
        applied_epoch=0,
        app_version="",
        created_at=at,
    )
    session.add(device)
    session.flush()
    code, expires_at = _issue_code(session, device, at + code_ttl)
    log.info("device %s (%s) created in centre %s", device.id, kind, centre.id)
    return device, code, expires_at


def _issue_code(session: Session, device: Device, expires_at: datetime) -> tuple[str, datetime]:
    code = security.new_enrollment_code()
    session.add(EnrollmentCode(code_hash=security.digest(code), device_id=device.id, expires_at=expires_at))
    session.flush()
    return code, expires_at


def reissue_code(
    session: Session, device: Device, *, now: datetime, code_ttl: timedelta = ENROLLMENT_CODE_TTL
) -> tuple[str, datetime]:
    """A fresh one-time code for a device that was reinstalled or lost its credential; earlier unused codes
    of the device stop working, and enrolling with the new one replaces the old credential."""
    if device.revoked_at is not None:
        raise DeviceRevoked("the device is revoked")
    at = require_aware(now)
    session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.device_id == device.id, EnrollmentCode.used_at.is_(None))
        .values(expires_at=at)
        .execution_options(synchronize_session=False)
    )
    return _issue_code(session, device, at + code_ttl)


def _checked_key(public_key: str) -> str:
    try:
        return valid_public_key(public_key)
    except InvalidKey:
        raise ValidationFailed.single("public_key", "device.public_key_invalid") from None


def enroll(
    session: Session,
    code: str,
    *,
    app_version: str = "",
    name: str | None = None,
    public_key: str | None = None,
    first_client_seq: int | None = None,
    now: datetime,
) -> tuple[Device, str]:
    """Trade a one-time enrollment code for the device and its credential (plain text, returned once).
    A code works once, before it expires, for a device that is not revoked. ``public_key`` is the device's
    Ed25519 key for its exports; a re-enrollment replaces the previous one (``None``: an app from before
    device keys, which registers one later with ``register_key``).

    ``first_client_seq``: the lowest sequence number of the ops the enrolling directory already holds (a
    directory that worked standalone). At or below the device's push watermark (a code reissued for a
    device that has synced) those ops would be refused as a regressed client, so the enrollment is refused
    (``SequenceTaken``) before the code is spent and before the device's credential is replaced."""
    key = _checked_key(public_key) if public_key is not None else None
    at = require_aware(now)
    canonical = security.normalise_enrollment_code(code)
    if canonical is None:
        raise EnrollmentCodeInvalid("not an enrollment code")
    code_hash = security.digest(canonical)
    row = session.get(EnrollmentCode, code_hash)
    if row is None:
        raise EnrollmentCodeInvalid("unknown enrollment code")
    if row.used_at is not None:
        raise EnrollmentCodeUsed("the enrollment code was already used")
    if as_utc(row.expires_at) <= at:
        raise EnrollmentCodeExpired("the enrollment code has expired")
    device = session.get(Device, row.device_id)
    if device is None:  # pragma: no cover - foreign key
        raise EnrollmentCodeInvalid("unknown enrollment code")
    if device.revoked_at is not None:
        raise DeviceRevoked("the device is revoked")
    if first_client_seq is not None and first_client_seq <= device.last_client_seq:
        raise SequenceTaken(
            "this device already sent ops up to the directory's own numbers: enroll it with a new device's code",
            last_client_seq=device.last_client_seq,
        )
    # Claim the code atomically: of two concurrent enrollments with one code, only one updates the row.
    claimed = session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.code_hash == code_hash, EnrollmentCode.used_at.is_(None))
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(claimed, "rowcount", 0) or 0) != 1:
        raise EnrollmentCodeUsed("the enrollment code was already used")
    credential = security.new_token()
    device.secret_hash = security.digest(credential)
    device.public_key = key
    device.enrolled_at = at
    device.app_version = app_version.strip()[:MAX_APP_VERSION]
    if name is not None and name.strip():
        device.name = " ".join(name.split())
    # A re-enrollment replaces the credential: staff sessions opened under the old one end now.
    session.execute(
        update(StaffSession)
        .where(StaffSession.device_id == device.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    log.info("device %s enrolled (app %s)", device.id, device.app_version or "?")
    return device, credential


def enroll_throttled(
    session: Session,
    code: str,
    address: str,
    *,
    app_version: str = "",
    name: str | None = None,
    public_key: str | None = None,
    first_client_seq: int | None = None,
    now: datetime,
) -> tuple[Device, str]:
    """``enroll``, with wrong codes counted per client ``address`` (``throttle.ENROLL``): ``Throttled``
    while the address is blocked, before the code is looked at. A wrong, used or expired code raises after
    counting the failure in this transaction: the caller commits it (nothing else was written)."""
    at = require_aware(now)
    key = throttle.enroll_key(address)
    row = throttle.lock(session, [key])[key]
    throttle.raise_if_blocked([row], at)
    try:
        result = enroll(session, code, app_version=app_version, name=name, public_key=public_key,
                        first_client_seq=first_client_seq, now=at)  # fmt: skip
    except (EnrollmentCodeInvalid, EnrollmentCodeUsed, EnrollmentCodeExpired):
        if throttle.failed(row, throttle.ENROLL, at):
            log.warning("%d wrong enrollment codes in a row from address %s: it is slowed down", row.failures, address)
        session.flush()
        raise
    throttle.reset(session, row)
    return result


def register_key(session: Session, device: Device, public_key: str) -> None:
    """Record the public key of a device that has none (enrolled before device keys), authenticated by its
    credential. Registering the same key again does nothing; another key is ``device.key_exists``: only a
    re-enrollment replaces a key, so a stolen credential cannot swap in a key of its own."""
    key = _checked_key(public_key)
    if device.public_key is not None:
        if not security.same(device.public_key, key):
            raise DeviceKeyExists("the device already registered another public key: re-enroll it to replace it")
        return
    device.public_key = key
    session.flush()
    log.info("device %s registered its public key", device.id)


def revoke(session: Session, device: Device, *, now: datetime) -> None:
    """The device can no longer authenticate; its unused codes and open staff sessions end now."""
    at = require_aware(now)
    if device.revoked_at is None:
        device.revoked_at = at
    session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.device_id == device.id, EnrollmentCode.used_at.is_(None))
        .values(expires_at=at)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(StaffSession)
        .where(StaffSession.device_id == device.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    log.info("device %s revoked", device.id)


# Built once (every request runs one): building the joined statement cost about a third of running it.
_DEVICE = (
    select(Device, Centre, Counter)
    .join(Centre, Centre.id == Device.centre_id)
    .outerjoin(Counter, Counter.id == Device.counter_id)
    .where(Device.id == bindparam("device_id"))
)
_DEVICE_AND_STAFF = (
    _DEVICE.add_columns(StaffSession, User)
    .outerjoin(
        StaffSession,
        (StaffSession.token_hash == bindparam("token_hash")) & (StaffSession.device_id == Device.id),
    )
    .outerjoin(User, User.id == StaffSession.user_id)
)


def authenticate_device(session: Session, device_id: str, credential: str, *, staff_token: str | None = None) -> Device:
    """The device whose credential this is. Unknown devices, wrong credentials and devices never enrolled
    are ``auth.device_invalid``; a device with the right credential that was revoked is
    ``auth.device_revoked``.

    One read also loads what nearly every request needs next: the device's centre and counter and, given
    ``staff_token``, that token's staff session on this device and its user. They stay in the session's
    identity map for the request (``common.keep``), so the staff check, the counter and the centre's rules
    cost no further round trip."""
    if not device_id or len(device_id) > 36:
        raise DeviceInvalid("unknown device or wrong credential")
    if staff_token:
        parameters = {"device_id": device_id, "token_hash": security.digest(staff_token)}
        row = session.execute(_DEVICE_AND_STAFF, parameters).first()
    else:
        row = session.execute(_DEVICE, {"device_id": device_id}).first()
    presented = security.digest(credential)
    if row is None or row[0].secret_hash is None or not security.same(presented, row[0].secret_hash):
        raise DeviceInvalid("unknown device or wrong credential")
    device: Device = row[0]
    if device.revoked_at is not None:
        raise DeviceRevoked("the device is revoked")
    keep(session, *row)
    if staff_token:  # looked up on this device: the staff check needs no second read
        remember_loaded(session, staff_token, row[3], row[4])
    return device
