"""Applying pulled changes to the counter's cache (SYNC.md §4 "Read-your-writes").

One page of changes and its cursors are applied in the caller's single transaction. A local row that
still has an op waiting in the outbox is never overwritten: the counter's own intent wins locally until
the server has answered it; the next pull after the push brings the server's verdict (its state, or the
winner of a lost call). Entities: ``service``, ``counter`` (status, epoch and services; this counter's
row is its assignment), ``ticket``, ``dossier`` and, from the device's own space, ``conflict``. A counter's
pending op is its clerk's pause or resume (``counter.pause``/``counter.resume``, keyed by the counter's
number, which the server's counter row carries beside its id).

Server times arrive as the centre's local time with an offset; the cache stores naive local times.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from counterapp.domain.dossier import DossierStatus
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.ticket import EventKind
from counterapp.protocol import ops
from counterapp.protocol.messages import Change
from counterapp.store import search_index
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.outbox import new_id
from counterapp.store.queue_models import TicketEventRow, TicketRow
from counterapp.store.reference_models import AssignmentRow, CounterRow, QueueServiceRow
from counterapp.store.sync_models import OutboxRow, SyncConflictRow

_ID_KEYS = {"ticket": "ticket_id", "dossier": "dossier_id"}


def local(text: str | None) -> datetime | None:
    """``2026-03-16T09:00:00+07:00`` → naive local wall time, as the cache stores it."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value.astimezone(VIETNAM_TZ).replace(tzinfo=None) if value.tzinfo else value


def has_pending(session: Session, entity: str, entity_id: str) -> bool:
    """Whether an op about this entity is still waiting to be pushed (or answered)."""
    key = _ID_KEYS.get(entity)
    if key is None:
        return False
    found = session.scalar(
        select(OutboxRow.client_seq)
        .where(OutboxRow.status == "pending", func.json_extract(OutboxRow.payload, f"$.{key}") == entity_id)
        .limit(1)
    )
    return found is not None


_COUNTER_OPS = (ops.COUNTER_PAUSE.name, ops.COUNTER_RESUME.name)


def counter_pending(session: Session, number: str) -> bool:
    """Whether this counter's clerk paused or resumed it and the server has not answered yet: until then
    the local status is the clerk's, and a pulled counter row (from before the op) must not flip it back."""
    found = session.scalar(
        select(OutboxRow.client_seq)
        .where(
            OutboxRow.status == "pending",
            OutboxRow.kind.in_(_COUNTER_OPS),
            func.json_extract(OutboxRow.payload, "$.counter") == number,
        )
        .limit(1)
    )
    return found is not None


def _pending(session: Session, change: Change) -> bool:
    if change.entity == "counter" and change.data is not None:
        return counter_pending(session, str(change.data["number"]))
    return has_pending(session, change.entity, change.id)


def apply_changes(session: Session, changes: list[Change], held: dict[str, int] | None = None) -> int:
    """Apply a page in order, each entity at its latest version in the page only (a dossier received,
    corrected and returned arrives once, returned); returns how many changed the cache. A change about an
    entity with an unanswered op is not applied, and ``held[space]`` gets the first such seq: the caller
    must not move that space's cursor past it, so the change comes again once the op is answered (the
    read-your-writes rule of SYNC.md §4)."""
    last = {(c.entity, c.id): index for index, c in enumerate(changes)}
    applied = 0
    for index, change in enumerate(changes):
        if last[(change.entity, change.id)] != index:
            continue
        handler = _HANDLERS.get(change.entity)
        if handler is None or change.data is None:
            continue  # an entity this version does not keep, or a delete of one it never had
        if _pending(session, change):
            if held is not None:
                held[change.space] = min(held.get(change.space, change.seq), change.seq)
            continue
        handler(session, change.data)
        applied += 1
    session.flush()
    return applied


# --- entities ------------------------------------------------------------------------------------------


def _service(session: Session, data: dict[str, Any]) -> None:
    row = session.get(QueueServiceRow, data["code"])
    if row is None:
        clash = session.scalar(select(QueueServiceRow).where(QueueServiceRow.prefix == data["prefix"]))
        if clash is not None:  # a standalone setup used this prefix for another code: the server's wins
            session.delete(clash)
            session.flush()
        session.add(QueueServiceRow(code=data["code"], prefix=data["prefix"], name_vi=data["name_vi"],
                                    name_en=data.get("name_en") or ""))  # fmt: skip
        return
    row.prefix, row.name_vi, row.name_en = data["prefix"], data["name_vi"], data.get("name_en") or ""


def _counter(session: Session, data: dict[str, Any]) -> None:
    number = data["number"]
    row = session.get(CounterRow, number)
    if row is None:
        row = CounterRow(number=number)
        session.add(row)
    if row.status != data["status"]:  # the server's change (the lead's): when it happened is not sent
        row.status_since = None
    row.name, row.status, row.pause_reason, row.epoch = (
        data["name"],
        data["status"],
        data["pause_reason"],
        data["epoch"],
    )
    session.flush()
    known = set(session.scalars(select(QueueServiceRow.code)))
    session.execute(delete(AssignmentRow).where(AssignmentRow.counter_number == number))
    for code in data["services"]:
        if code in known:
            session.add(AssignmentRow(counter_number=number, service_code=code))


def apply_dossier(session: Session, data: dict[str, Any]) -> None:
    """The server's version of a dossier (from the ``canonical`` of a refused ``dossier.void``)."""
    _dossier(session, data)


def apply_ticket(session: Session, data: dict[str, Any]) -> None:
    """The server's version of a ticket (from a pulled change, or the ``canonical`` of a refused op)."""
    _ticket(session, data)


def _ticket(session: Session, data: dict[str, Any]) -> None:
    row = session.get(TicketRow, data["id"])
    issued_at = local(data["issued_at"])
    assert issued_at is not None
    if row is None:
        same_number = session.scalar(
            select(TicketRow).where(
                TicketRow.issued_on == date.fromisoformat(data["day"]), TicketRow.number == data["number"]
            )
        )
        if same_number is not None:  # cannot happen with disjoint ranges; keep the local one, flag nothing
            return
        row = TicketRow(id=data["id"], number=data["number"], issued_on=date.fromisoformat(data["day"]),
                        issued_at=issued_at, origin="kiosk", recalls=0, service_code=data["service"],
                        state=data["state"], sync_state="synced")  # fmt: skip
        session.add(row)
        session.flush()  # the ticket row exists before its first event row (foreign key)
        session.add(TicketEventRow(id=new_id(), ticket_id=row.id, position=0, kind=EventKind.ISSUED.value,
                                   at=issued_at, service_code=data["service"], priority=data["priority"]))  # fmt: skip
    row.service_code, row.priority, row.state = data["service"], data["priority"], data["state"]
    row.counter_number, row.recalls = data["counter"], data["recalls"]
    row.dealt_to, row.dealt_until = data["dealt_to"], local(data["dealt_until"])
    row.sync_state = "synced"


_APPLICANT = {"name": "applicant_name", "id_type": "applicant_id_type", "id_number": "applicant_id_number",
              "date_of_birth": "applicant_dob", "sex": "applicant_sex", "phone": "applicant_phone",
              "email": "applicant_email", "address": "applicant_address"}  # fmt: skip


def _documents(form: dict[str, Any]) -> list[tuple[Any, ...]]:
    keys = ("code", "name", "originals", "certified_copies", "photocopies")
    return [tuple(doc[k] for k in keys) for doc in form.get("documents") or []]


def _unchanged(session: Session, row: DossierRow, data: dict[str, Any]) -> bool:
    """Whether the server's dossier says what the cache already holds (the usual case: this counter's own
    dossier coming back after its push), so nothing but its sync state needs writing."""
    form, returned = data["form"], data["form"].get("return") or {}
    person = form.get("applicant") or {}
    same = (
        row.status == _status(row.status, data["status"])
        and row.due_at == local(data["due_at"])
        and (row.note, row.postal_address, row.return_mode, row.owner)
        == (form["note"], form["postal_address"], form["return_mode"], form.get("owner"))
        and all(getattr(row, column) == _applicant_value(key, person.get(key)) for key, column in _APPLICANT.items())
        and (
            not returned
            or (row.returned_at, row.returned_to) == (local(returned["returned_at"]), returned["collected_by"])
        )
    )
    if not same:
        return False
    stored = session.execute(
        select(DossierComponentRow.code, DossierComponentRow.name, DossierComponentRow.originals,
               DossierComponentRow.certified_copies, DossierComponentRow.photocopies)
        .where(DossierComponentRow.dossier_id == row.id)
        .order_by(DossierComponentRow.position)
    ).all()  # fmt: skip
    return [tuple(r) for r in stored] == _documents(form)


def _status(cached: str | None, server: str) -> str:
    """The cache's status of a dossier the server has at ``server``. The server's word on what it tracks
    (returned; withdrawn), and on a dossier this cache withdrew whose void the server refused (received
    again); otherwise the cache's own (a Mẫu 02 request marks it here only)."""
    if server in (DossierStatus.RETURNED.value, DossierStatus.WITHDRAWN.value):
        return server
    if cached is None or cached == DossierStatus.WITHDRAWN.value:
        return DossierStatus.RECEIVED.value
    return cached


def _applicant_value(key: str, value: Any) -> Any:
    return date.fromisoformat(value) if key == "date_of_birth" and value else value


def _dossier(session: Session, data: dict[str, Any]) -> None:
    form: dict[str, Any] = data["form"]
    row = session.scalar(select(DossierRow).where(DossierRow.id == data["id"]))
    if row is not None and _unchanged(session, row, data):
        row.version, row.sync_state = max(row.version, data["version"]), "synced"
        return
    received_at = local(data["received_at"])
    assert received_at is not None
    returned = form.get("return") or {}
    changes: list[tuple[str, datetime | None, str | None]] = []
    if row is None:
        if session.scalar(select(DossierRow.pk).where(DossierRow.code == data["code"])) is not None:
            return  # a code this cache already holds for another dossier: the server flagged it
        row = DossierRow(id=data["id"], code=data["code"], procedure_code=data["procedure_code"],
                         procedure_name=form.get("procedure_name") or data["procedure_code"],
                         received_on=received_at.date(), received_at=received_at, created_at=received_at,
                         register_book=form["register"]["book"], register_line=form["register"]["line"],
                         counter_number=form.get("counter"), ticket_id=form.get("ticket_id"),
                         lease_id=form.get("lease_id"))  # fmt: skip
        session.add(row)
    row.due_at = local(data["due_at"])
    row.duration_value, row.duration_unit = form["duration"]["value"], form["duration"]["unit"]
    row.calendar_version, row.sets, row.channel = form["calendar_version"], form["sets"], form["channel"]
    row.return_mode, row.postal_address, row.note = form["return_mode"], form["postal_address"], form["note"]
    if returned:
        row.returned_at, row.returned_to = local(returned.get("returned_at")), returned.get("collected_by")
    status = _status(row.status, data["status"])
    if status != row.status:
        row.status = status
        voided = form.get("void") or {}
        if status == DossierStatus.WITHDRAWN.value:
            changes.append((status, local(voided.get("voided_at")), voided.get("reason")))
        else:
            changes.append((status, row.returned_at if status == DossierStatus.RETURNED.value else received_at, None))
    person = form.get("applicant") or {}
    for key, column in _APPLICANT.items():
        setattr(row, column, _applicant_value(key, person.get(key)))
    row.owner = form.get("owner")
    row.version, row.sync_state = data["version"], "synced"
    row.updated_at = received_at if row.updated_at is None else row.updated_at
    session.flush()
    session.execute(delete(DossierComponentRow).where(DossierComponentRow.dossier_id == row.id))
    for position, doc in enumerate(form.get("documents") or []):
        session.add(DossierComponentRow(dossier_id=row.id, position=position, code=doc["code"], name=doc["name"],
                                        originals=doc["originals"], certified_copies=doc["certified_copies"],
                                        photocopies=doc["photocopies"]))  # fmt: skip
    session.flush()
    for status_value, at, note in changes:  # the history shown on the detail screen
        session.add(
            DossierStatusRow(dossier_id=row.id, status=status_value, at=at or received_at, user_id=None, note=note)
        )
    search_index.index_dossier(session, row)


def _conflict(session: Session, data: dict[str, Any]) -> None:
    row = session.get(SyncConflictRow, data["id"])
    if row is None:
        row = SyncConflictRow(id=data["id"], op_id=data["op_id"], kind=data["kind"], entity=data["entity"],
                              entity_id=data["entity_id"], code=data["code"], reason=data["reason"],
                              created_at=local(data["created_at"]))  # fmt: skip
        session.add(row)
        if data["entity"] == "ticket" and (ticket := session.get(TicketRow, data["entity_id"])) is not None:
            ticket.sync_state = "conflict"
    if data.get("resolved_at"):
        row.seen_at = local(data["resolved_at"])


_HANDLERS = {
    "service": _service,
    "counter": _counter,
    "ticket": _ticket,
    "dossier": _dossier,
    "conflict": _conflict,
}

__all__ = ["apply_changes", "apply_dossier", "apply_ticket", "counter_pending", "has_pending", "local"]
