"""This device: initialising a data directory, its identity, and the centre settings it works with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.datafiles.calendar import bundled_calendar
from counterapp.domain.calendar import CalendarOverride, DayCategory, DayKind, SpecialDay, WorkCalendar
from counterapp.domain.codes import validate_agency_code
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.office_hours import OfficeHours
from counterapp.domain.priority import DEFAULT_PRIORITY_CLASSES, OrderingRule, PriorityClass, PriorityPolicy
from counterapp.services.errors import AlreadyInitialised
from counterapp.store.base import core_read
from counterapp.store.outbox import device_meta, new_id
from counterapp.store.reference_models import (
    CalendarOverrideRow,
    CounterRow,
    QueueServiceRow,
    SettingRow,
)
from counterapp.store.sync_models import DeviceMetaRow

DEFAULT_SETTINGS: dict[str, Any] = {
    "office_hours": "08:00-12:00,13:00-17:00",
    "priority_rule": "strict",
    "priority_every": 3,
    "priority_classes": None,  # [{"code", "name_vi", "name_en", "rank"}]; None: the default classes
    "recall_limit": None,
    "retention_days": 30,
    "calendar_years": [],  # years beyond the bundled file that synced overrides fully cover
    "printers": {},  # name → printer configuration (counterapp.printing.printers)
    "centre": None,  # the centre's names on forms (counterapp.printing.centre); None: the demo centre
    "staff_names": {},  # user id → the name printed under "Người tiếp nhận hồ sơ"
    "lock_minutes": 10,  # the counter window locks after this long without input (0: never)
    "staff_offline_days": 7,  # how long a sign-in is remembered for signing in while the server is away
}


@dataclass(frozen=True, slots=True)
class Device:
    device_id: str
    agency_code: str
    counter_number: str
    last_client_seq: int
    clock_offset_ms: int


def _validate_counter(counter_number: str) -> str:
    value = counter_number.strip()
    if not value or len(value) > 10 or not value.isalnum():
        raise ValidationFailed.single("counter", "counter.invalid")
    return value


def init_device(
    session: Session,
    *,
    agency_code: str,
    counter_number: str,
    now: datetime,
    services: Sequence[Mapping[str, str]] = (),
    device_id: str | None = None,
) -> Device:
    """Give a new data directory its identity (``device_id``: the server's, when enrolled); refuse to
    re-initialise one (its ops would be orphaned)."""
    if session.get(DeviceMetaRow, 1) is not None:
        raise AlreadyInitialised("this data directory already belongs to a device")
    agency = validate_agency_code(agency_code)
    counter = _validate_counter(counter_number)
    session.add(DeviceMetaRow(id=1, device_id=device_id or new_id(), agency_code=agency, counter_number=counter,
                              last_client_seq=0, clock_offset_ms=0, regular_streak=0, created_at=now))  # fmt: skip
    session.add(CounterRow(number=counter, name="", status="open", epoch=0))
    for service in services:
        session.add(QueueServiceRow(**service))
    session.flush()
    return get_device(session)


def get_device(session: Session) -> Device:
    meta = device_meta(session)
    return Device(meta.device_id, meta.agency_code, meta.counter_number, meta.last_client_seq,
                  meta.clock_offset_ms)  # fmt: skip


_SETTINGS = select(SettingRow.key, SettingRow.value)  # built once, as the reads below
_OVERRIDES = select(
    CalendarOverrideRow.day,
    CalendarOverrideRow.kind,
    CalendarOverrideRow.category,
    CalendarOverrideRow.name_vi,
    CalendarOverrideRow.name_en,
    CalendarOverrideRow.basis,
    CalendarOverrideRow.removed,
    CalendarOverrideRow.version,
).order_by(CalendarOverrideRow.day)


def settings(session: Session) -> dict[str, Any]:
    """Every centre setting, defaults filled in, in one query."""
    stored = {row.key: row.value for row in core_read(session, _SETTINGS)}
    return DEFAULT_SETTINGS | stored


def setting(session: Session, key: str) -> Any:
    row = session.get(SettingRow, key)
    return DEFAULT_SETTINGS.get(key) if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    if key not in DEFAULT_SETTINGS:
        raise ValidationFailed.single("setting", "setting.unknown", key=key)
    row = session.get(SettingRow, key)
    if row is None:
        session.add(SettingRow(key=key, value=value))
    else:
        row.value = value


def office_hours(session: Session, values: Mapping[str, Any] | None = None) -> OfficeHours:
    """The centre's office hours; ``values``: the settings, if the caller has read them already."""
    return _office_hours(str(setting(session, "office_hours") if values is None else values["office_hours"]))


@lru_cache(maxsize=8)
def _office_hours(text: str) -> OfficeHours:
    return OfficeHours.parse(text)  # parsed once per text: the intake asks at every dossier


def policy_from(values: dict[str, Any]) -> PriorityPolicy:
    classes = values.get("priority_classes")
    return PriorityPolicy(
        OrderingRule(values["priority_rule"]),
        int(values["priority_every"]),
        DEFAULT_PRIORITY_CLASSES if not classes else tuple(PriorityClass(**c) for c in classes),
    )


def priority_policy(session: Session) -> PriorityPolicy:
    return policy_from(settings(session))


def recall_limit(session: Session) -> int | None:
    value = setting(session, "recall_limit")
    return None if value is None else int(value)


def work_calendar(session: Session, values: Mapping[str, Any] | None = None) -> WorkCalendar:
    """The bundled calendar with the overrides this cache holds (synced from the server); ``values``:
    the settings, if the caller has read them already."""
    rows = core_read(session, _OVERRIDES).all()
    stored_years = setting(session, "calendar_years") if values is None else values["calendar_years"]
    years = frozenset(int(y) for y in stored_years or ())
    if not rows and not years:
        return bundled_calendar()
    added = tuple(
        SpecialDay(r.day, DayKind(r.kind), DayCategory(r.category), r.name_vi, r.name_en, r.basis)
        for r in rows
        if not r.removed
    )
    removed = tuple(r.day for r in rows if r.removed)
    version = max((r.version for r in rows), default="local")
    return bundled_calendar().with_override(CalendarOverride(version, added, removed, years))
