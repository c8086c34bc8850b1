"""Who may do what: staff (clerk, lead, admin), enrolled devices, one-time enrollment codes and staff
sessions. Secrets are stored only as hashes (argon2id for passwords; SHA-256 for random tokens, which
carry enough entropy that a slow hash adds nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.server.models.base import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str | None] = mapped_column(ForeignKey("centres.id"), index=True)  # None: city admin
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))  # clerk | lead | admin
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the account was deactivated: ops dated before it are still the user's (SYNC.md §4 Auth).
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserRole(Base):
    """A user's role over a period, so an op is authorised by the role held at the op's time. The row
    with ``valid_to`` None is the current role (equal to ``User.role``); periods are half-open
    ``[valid_from, valid_to)`` and follow each other without gaps."""

    __tablename__ = "user_roles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Device(Base):
    """A counter PC, kiosk or display screen. Its centre comes from here, never from a request's body."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    counter_id: Mapped[str | None] = mapped_column(ForeignKey("counters.id"))
    kind: Mapped[str] = mapped_column(String(10))  # counter | kiosk | display
    name: Mapped[str] = mapped_column(Text, default="")
    secret_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the device credential
    # The device's Ed25519 public key (base64url, 43 characters): it verifies the outbox exports the device
    # signs with a private key the server never sees (``counterapp.protocol.device_key``). None: the device
    # was enrolled before keys existed and has not registered one yet.
    public_key: Mapped[str | None] = mapped_column(String(64))
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_client_seq: Mapped[int] = mapped_column(Integer, default=0)  # push watermark (sync issue)
    applied_epoch: Mapped[int] = mapped_column(Integer, default=0)
    app_version: Mapped[str] = mapped_column(String(20), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # latest sync hello
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EnrollmentCode(Base):
    """A one-time code an installer types on a new device; it becomes that device's credential."""

    __tablename__ = "enrollment_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffSession(Base):
    """A staff login on a device. Ops pushed later are authorised by the role at the op's time, so an
    expired session never loses offline work (SYNC.md §4 Auth)."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class AuthThrottle(Base):
    """Failed attempts of one kind from one source (an account, a device, a client address), so sign-in and
    enrollment slow down after a few failures (``counterapp.server.services.throttle``). In the database,
    not in memory: every server process sees the same count, and a restart does not forgive."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # e.g. device:<id>, account:<digest>
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since the last reset
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
