"""A centre and what its lead configures: queue services, counters, and which counter serves what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from counterapp.server.models.base import Base


class Centre(Base):
    __tablename__ = "centres"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), unique=True)  # V1V2V3.Z1Z2.Y1Y2.MX1X2
    name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # How call-next orders priority tickets (counterapp.domain.priority): strict, or interleave one
    # priority ticket after ``priority_every`` regular ones.
    priority_rule: Mapped[str] = mapped_column(String(12), default="strict", server_default="strict")
    priority_every: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # Fair shares of offline numbers (counterapp.server.services.number_shares): what one device may hold
    # unspent per kind, scope and day is ``lease_multiple`` × its busiest recent day, kept between the
    # floor and the ceiling of its kind; a device with nobody signed in leases only if a staff member
    # signed in on it within ``lease_staff_days``.
    lease_multiple: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    lease_floor_dossier: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    lease_ceiling_dossier: Mapped[int] = mapped_column(Integer, default=300, server_default="300")
    lease_floor_ticket: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    lease_ceiling_ticket: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    lease_staff_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")


class QueueService(Base):
    __tablename__ = "queue_services"
    __table_args__ = (UniqueConstraint("centre_id", "code"), UniqueConstraint("centre_id", "prefix"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(3))
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("centre_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    number: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="closed")  # open | paused | closed
    pause_reason: Mapped[str | None] = mapped_column(Text)
    epoch: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every reassignment (fencing token)
    # regular tickets this counter called since its last priority one (the interleave rule's memory)
    regular_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Assignment(Base):
    __tablename__ = "assignments"

    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("queue_services.id"), primary_key=True)
