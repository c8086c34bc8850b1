"""A centre and its configuration: queue services, counters, and which counter serves which services."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from counterapp.domain.codes import validate_agency_code, validate_service_prefix
from counterapp.domain.errors import ValidationFailed
from counterapp.server import feed  # noqa: F401 - registers the change feed on counters
from counterapp.server.models.org import Assignment, Centre, Counter, QueueService
from counterapp.server.services.common import new_id, require_aware
from counterapp.server.services.errors import AlreadyExists, NotFound

_SERVICE_CODE = re.compile(r"[A-Z0-9_]{1,20}")


def _text(value: str, field: str, *, required: bool = True) -> str:
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if required and not text:
        raise ValidationFailed.single(field, "text.required")
    return text


def validate_counter_number(number: str | int, field: str = "counter") -> str:
    value = str(number).strip()
    if not value or len(value) > 10 or not value.isalnum():
        raise ValidationFailed.single(field, "counter.invalid")
    return value


def validate_service_code(code: str, field: str = "service.code") -> str:
    value = code.strip().upper()
    if not _SERVICE_CODE.fullmatch(value):
        raise ValidationFailed.single(field, "service.code_invalid")
    return value


@dataclass(frozen=True, slots=True)
class CounterView:
    counter: Counter
    services: tuple[QueueService, ...]


# --- lookups -------------------------------------------------------------------------------------------


def centre_by_code(session: Session, agency_code: str) -> Centre:
    code = validate_agency_code(agency_code)
    centre = session.scalars(select(Centre).where(Centre.agency_code == code)).one_or_none()
    if centre is None:
        raise NotFound("no such centre", code="centre.not_found")
    return centre


def counter_by_number(session: Session, centre_id: str, number: str | int) -> Counter:
    value = validate_counter_number(number)
    counter = session.scalars(
        select(Counter).where(Counter.centre_id == centre_id, Counter.number == value)
    ).one_or_none()
    if counter is None:
        raise NotFound("no such counter", code="counter.not_found")
    return counter


def services_by_codes(session: Session, centre_id: str, codes: Sequence[str]) -> list[QueueService]:
    """The centre's services with these codes, in the order given; an unknown code is a field error."""
    wanted = [validate_service_code(code, "services") for code in codes]
    rows = session.scalars(
        select(QueueService).where(QueueService.centre_id == centre_id, QueueService.code.in_(wanted))
    ).all()
    by_code = {row.code: row for row in rows}
    missing = [code for code in wanted if code not in by_code]
    if missing:
        raise ValidationFailed.single("services", "service.not_found", codes=missing)
    return [by_code[code] for code in dict.fromkeys(wanted)]


def list_counters(session: Session, centre_id: str) -> list[CounterView]:
    counters = session.scalars(select(Counter).where(Counter.centre_id == centre_id)).all()
    pairs = session.execute(
        select(Assignment.counter_id, QueueService)
        .join(QueueService, QueueService.id == Assignment.service_id)
        .join(Counter, Counter.id == Assignment.counter_id)
        .where(Counter.centre_id == centre_id)
        .order_by(QueueService.code)
    ).all()
    served: dict[str, list[QueueService]] = {}
    for counter_id, service in pairs:
        served.setdefault(counter_id, []).append(service)
    ordered = sorted(counters, key=lambda c: (len(c.number), c.number))  # "2" before "10"
    return [CounterView(c, tuple(served.get(c.id, ()))) for c in ordered]


def counter_view(session: Session, counter: Counter) -> CounterView:
    services = session.scalars(
        select(QueueService)
        .join(Assignment, Assignment.service_id == QueueService.id)
        .where(Assignment.counter_id == counter.id)
        .order_by(QueueService.code)
    ).all()
    return CounterView(counter, tuple(services))


# --- changes -------------------------------------------------------------------------------------------


def create_centre(session: Session, *, agency_code: str, name: str, now: datetime) -> Centre:
    code = validate_agency_code(agency_code)
    if session.scalars(select(Centre.id).where(Centre.agency_code == code)).first() is not None:
        raise AlreadyExists("a centre with this agency code exists", code="centre.exists")
    centre = Centre(id=new_id(), agency_code=code, name=_text(name, "name"), created_at=require_aware(now))
    session.add(centre)
    session.flush()
    return centre


MAX_PRIORITY_EVERY = 20


def set_priority_rule(centre: Centre, rule: str, every: int | None = None) -> Centre:
    """How call-next orders priority tickets at ``centre``: ``strict`` (always first) or ``interleave`` (one
    after every ``every`` regular tickets, 1–20). Counters call by the new rule from their next call."""
    if rule not in ("strict", "interleave"):
        raise ValidationFailed.single("rule", "priority.rule_invalid")
    if every is not None and not 1 <= every <= MAX_PRIORITY_EVERY:
        raise ValidationFailed.single("every", "priority.every_invalid", limit=MAX_PRIORITY_EVERY)
    centre.priority_rule = rule
    if every is not None:
        centre.priority_every = every
    return centre


def add_service(
    session: Session, centre: Centre, *, code: str, prefix: str, name_vi: str, name_en: str = ""
) -> QueueService:
    value = validate_service_code(code)
    letters = validate_service_prefix(prefix)
    existing = session.scalars(
        select(QueueService).where(
            QueueService.centre_id == centre.id, (QueueService.code == value) | (QueueService.prefix == letters)
        )
    ).first()
    if existing is not None:
        field = "service.code" if existing.code == value else "service.prefix"
        raise AlreadyExists(f"{field} already used in this centre", code="service.exists", field=field)
    service = QueueService(
        id=new_id(),
        centre_id=centre.id,
        code=value,
        prefix=letters,
        name_vi=_text(name_vi, "service.name_vi"),
        name_en=_text(name_en, "service.name_en", required=False),
    )
    session.add(service)
    session.flush()
    return service


def add_counter(session: Session, centre: Centre, *, number: str | int, name: str = "") -> Counter:
    value = validate_counter_number(number)
    exists = session.scalars(select(Counter.id).where(Counter.centre_id == centre.id, Counter.number == value)).first()
    if exists is not None:
        raise AlreadyExists("this counter number exists in this centre", code="counter.exists")
    counter = Counter(
        id=new_id(), centre_id=centre.id, number=value, name=_text(name, "counter.name", required=False), epoch=0
    )
    session.add(counter)
    session.flush()
    return counter


def assign(session: Session, counter: Counter, services: Sequence[QueueService]) -> int:
    """Make ``counter`` serve exactly ``services`` (of its own centre) and bump its epoch, the fencing
    token that tells devices a newer assignment exists (DESIGN.md §3.8). Returns the new epoch."""
    if any(service.centre_id != counter.centre_id for service in services):
        raise ValidationFailed.single("services", "service.not_found")
    # Lock the counter row so two concurrent reassignments get distinct epochs.
    session.refresh(counter, with_for_update=True)
    session.execute(delete(Assignment).where(Assignment.counter_id == counter.id))
    for service_id in dict.fromkeys(service.id for service in services):
        session.add(Assignment(counter_id=counter.id, service_id=service_id))
    counter.epoch = counter.epoch + 1
    session.flush()
    return counter.epoch
