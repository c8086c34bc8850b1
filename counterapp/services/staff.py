"""Staff sign-in at the counter, online through the server and offline against a cached verifier.

Online, the device (with its credential) asks ``POST /v1/sessions`` for a staff session; on success the
counter keeps an *offline verifier* of the password: ``hashlib.scrypt`` with a random salt, never the
password itself, valid for a limited time (``staff_offline_days``, default 7). When the server cannot be
reached, the same username and password are checked against that verifier, and the clerk works with
``SignedIn(offline=True)``; the ops they record carry their user id and sync later as usual.

A wrong password answered by the server never falls back to the offline verifier: only "no answer".
Nothing here logs a password, a username or a name (the log holds the user id only).

    result = sign_in(workspace, client, "lan.nt", "mật khẩu")   # on the GUI's IO pool, not the GUI thread
    workspace.user = result.user
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.services.device import set_setting, setting
from counterapp.services.workspace import SignedIn, Workspace
from counterapp.store.reference_models import SettingRow

if TYPE_CHECKING:  # the HTTP client loads httpx and the protocol models: only when signing in online
    from counterapp.protocol.client import ServerClient

log = logging.getLogger(__name__)

__all__ = [
    "LOCK_MINUTES",
    "OFFLINE_DAYS",
    "SignInFailed",
    "StaffSession",
    "forget",
    "lock_minutes",
    "normalise",
    "remember",
    "sign_in",
    "verify_offline",
]

VERIFIERS_KEY = "staff_verifiers"  # settings row: username → verifier (never synced: local only)
OFFLINE_DAYS_KEY = "staff_offline_days"
LOCK_MINUTES_KEY = "lock_minutes"
OFFLINE_DAYS = 7
LOCK_MINUTES = 10
# scrypt cost: ~50 ms and 16 MiB on a clerk's PC, so a stolen cache is slow to brute-force.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SERVER_FIELD = {
    "auth.invalid_credentials": "password",  # the server does not say which one: the password is likelier
    "auth.user_inactive": "username",
    "auth.wrong_centre": "username",
}


class SignInFailed(DomainError):
    """Sign-in refused. ``field`` is the input at fault (``username``/``password``) or ``None`` (device,
    server). Codes: staff.username_required, staff.password_required, auth.invalid_credentials,
    auth.user_inactive, auth.wrong_centre, staff.offline_unknown, staff.offline_expired,
    staff.wrong_password, staff.device_refused, and auth.throttled (too many wrong passwords for this
    account or on this device: ``params["seconds"]`` to wait before the next try)."""

    code = "staff.sign_in_failed"

    def __init__(self, code: str, field: str | None, message: str = "", **params: Any) -> None:
        super().__init__(message or code, code=code, **params)
        self.field = field


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in staff member and, when the server answered, their session token (not stored)."""

    user: SignedIn
    token: str | None = None
    expires_at: str | None = None


def normalise(text: str) -> str:
    """NFC at the boundary: a password typed with combining marks must match the same one precomposed."""
    return unicodedata.normalize("NFC", text)


def _key(username: str) -> str:
    return normalise(username).strip().casefold()


def _int_setting(session: Session, key: str, default: int) -> int:
    row = session.get(SettingRow, key)
    try:
        return int(row.value) if row is not None and row.value is not None else default
    except (TypeError, ValueError):
        return default


def lock_minutes(session: Session) -> int:
    """Minutes of inactivity before the counter window locks (0: never)."""
    return _int_setting(session, LOCK_MINUTES_KEY, LOCK_MINUTES)


def _verifiers(session: Session) -> dict[str, Any]:
    row = session.get(SettingRow, VERIFIERS_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def _store_verifiers(session: Session, value: dict[str, Any]) -> None:
    # Written directly: ``device.set_setting`` only takes the centre settings, and this one is per device.
    row = session.get(SettingRow, VERIFIERS_KEY)
    if row is None:
        session.add(SettingRow(key=VERIFIERS_KEY, value=value))
    else:
        row.value = value  # a new dict: the JSON column notices the change


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(normalise(password).encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024)


def remember(session: Session, user: SignedIn, username: str, password: str, *, now: datetime) -> None:
    """Keep an offline verifier of ``password`` for ``username``, valid for ``staff_offline_days``."""
    days = _int_setting(session, OFFLINE_DAYS_KEY, OFFLINE_DAYS)
    salt = secrets.token_bytes(16)
    verifiers = _verifiers(session)
    verifiers[_key(username)] = {
        "user_id": user.user_id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "salt": salt.hex(),
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "hash": _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).hex(),
        "expires_at": (now + timedelta(days=days)).isoformat(),
    }
    _store_verifiers(session, verifiers)
    name_staff(session, user)


def name_staff(session: Session, user: SignedIn) -> None:
    """Record the clerk's full name for their user id: receipts print it under "Người tiếp nhận hồ sơ" and
    the dossier history shows it, where the id alone would mean nothing to a citizen or a lead."""
    names: dict[str, str] = dict(setting(session, "staff_names") or {})
    if user.full_name and names.get(user.user_id) != user.full_name:
        names[user.user_id] = user.full_name
        set_setting(session, "staff_names", names)


def forget(session: Session, username: str) -> None:
    """Drop the offline verifier (the server said the account may no longer sign in)."""
    verifiers = _verifiers(session)
    if verifiers.pop(_key(username), None) is not None:
        _store_verifiers(session, verifiers)


def verify_offline(session: Session, username: str, password: str, *, now: datetime) -> SignedIn:
    """The cached staff member if ``password`` matches their unexpired verifier."""
    entry = _verifiers(session).get(_key(username))
    if entry is None:
        raise SignInFailed("staff.offline_unknown", "username", "no offline sign-in is cached for this user")
    if datetime.fromisoformat(str(entry["expires_at"])) <= now:
        raise SignInFailed("staff.offline_expired", "username", "the offline sign-in has expired")
    derived = _derive(password, bytes.fromhex(entry["salt"]), int(entry["n"]), int(entry["r"]), int(entry["p"]))
    if not hmac.compare_digest(derived.hex(), str(entry["hash"])):
        raise SignInFailed("staff.wrong_password", "password", "wrong password")
    return SignedIn(
        user_id=str(entry["user_id"]),
        username=str(entry["username"]),
        full_name=str(entry["full_name"]),
        role=str(entry["role"]),
        offline=True,
    )


def _check_input(username: str, password: str) -> None:
    if not username:
        raise SignInFailed("staff.username_required", "username", "enter a username")
    if not password:
        raise SignInFailed("staff.password_required", "password", "enter a password")


def sign_in(workspace: Workspace, client: ServerClient | None, username: str, password: str) -> StaffSession:
    """Sign in online if the server answers, else offline against the cached verifier. Blocking (network
    and ~50 ms of scrypt): run it off the GUI thread. ``client`` ``None``: this counter is not enrolled."""
    from counterapp.protocol.client import Refused, RetryLater, Unreachable

    username, password = normalise(username).strip(), normalise(password)
    _check_input(username, password)
    if client is not None:
        try:
            data = client.login(username, password)
        except RetryLater as exc:
            if exc.code == "auth.throttled":  # an answer about the password, not an outage: no offline try
                seconds = max(1, math.ceil(exc.seconds))
                raise SignInFailed("auth.throttled", None, f"too many failed sign-ins: try again in {seconds} s",
                                   seconds=seconds) from None  # fmt: skip
            log.info("sign-in: the server is busy; trying the offline verifier")
        except Unreachable:
            log.info("sign-in: the server cannot be reached; trying the offline verifier")
        except Refused as exc:
            field = _SERVER_FIELD.get(exc.code)
            if field is None:  # the device itself was refused (revoked, unknown credential)
                raise SignInFailed(
                    "staff.device_refused", None, f"the server refused this device ({exc.code})"
                ) from None
            if exc.code in ("auth.user_inactive", "auth.wrong_centre"):
                with workspace.writing() as (session, _now):
                    forget(session, username)
            raise SignInFailed(exc.code, field, exc.detail) from None
        else:
            raw = data["user"]
            user = SignedIn(str(raw["id"]), str(raw["username"]), str(raw["full_name"]), str(raw["role"]))
            with workspace.writing() as (session, now):
                remember(session, user, username, password, now=now)
            log.info("user %s signed in online", user.user_id)
            return StaffSession(user, str(data["token"]), str(data.get("expires_at") or "") or None)
    with workspace.reading() as (session, now):
        user = verify_offline(session, username, password, now=now)
    log.info("user %s signed in offline", user.user_id)
    return StaffSession(user)
