"""Applying one pushed op to the server's state (SYNC.md §4 "Conflict rules"), per kind.

* **Facts** (a walk-in issued, a citizen served, a dossier received or returned, a document printed) are
  never rejected: they are stored, and where they clash with what the server knows (another counter won
  the call; a second dossier with one code) the outcome is ``conflict``: kept *and* flagged for review.
* **Claims** (calling, transferring, cancelling, reactivating a ticket) are compare-and-set on the ticket's
  current state, the hands dealt and the counter's assignment; a lost claim is ``rejected`` with the
  reason and the server's version of the ticket, and nothing changes.
* **Edits** (``dossier.amend``) apply on their base version; made on an older version, they are merged
  field by field: fields only the counter changed are taken, a field both sides changed keeps the server's
  value and the counter's is kept in a conflict row (never silently dropped).

An applier returns an ``Outcome``; it raises ``DomainError`` only for a permanent refusal, which the push
records as ``rejected``. Reasons name tickets, counters and fields, never personal data. The centre is the
device's; the counter is the device's counter, never the payload's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic_core import PydanticSerializationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import DomainError
from counterapp.domain.ticket import EventKind, IllegalTransition, TicketEvent, TicketEventInvalid, TicketState
from counterapp.domain.ticket import apply as apply_event
from counterapp.protocol import ops, payloads
from counterapp.server import feed
from counterapp.server.models.auth import Device, User
from counterapp.server.models.numbers import CodeLease
from counterapp.server.models.org import Centre, Counter, QueueService
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.models.sync import Dossier, DossierRevision, RecordRow
from counterapp.server.services import queue
from counterapp.server.services.apply_counter import set_status as set_counter_status
from counterapp.server.services.apply_numbers import keep_online_numbering_clear, lease_problem
from counterapp.server.services.apply_void import record_code_void, void_dossier
from counterapp.server.services.bulk import NewDossiers, among
from counterapp.server.services.common import as_utc, new_id

Status = Literal["applied", "rejected", "conflict", "quarantined"]
EntityRef = tuple[str, str, str]  # (space, entity, id): where a counter sees the op's effect


@dataclass
class Outcome:
    status: Status = "applied"
    code: str | None = None  # stable reason code for a rejection or a conflict
    reason: str | None = None  # readable, no personal data
    entities: list[EntityRef] = field(default_factory=list)
    canonical: dict[str, Any] | None = None  # the server's version, when the counter's lost
    losing: dict[str, Any] | None = None  # the counter's values kept for review (conflict rows)
    entity: tuple[str, str] | None = None  # (entity, id) the conflict is about


@dataclass
class Prefetched:
    """What a push reads once for its whole batch instead of once per op (every query is a round trip to
    PostgreSQL): which of the batch's dossiers are already stored, and which of its codes are taken."""

    dossiers: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=dict)  # code → the id of a dossier holding it
    # Rows the batch will use, held here because the session's identity map only holds weak references:
    # dossiers it amends or returns (locked FOR UPDATE in the same read), the leases its codes name, and
    # the centre's queue services.
    locked: dict[str, Dossier] = field(default_factory=dict)
    leases: dict[str, CodeLease] = field(default_factory=dict)
    services: list[QueueService] = field(default_factory=list)
    tickets: dict[str, Ticket] = field(default_factory=dict)  # the batch's tickets, locked FOR UPDATE
    assigned: list[str] | None = None  # the device's counter's services
    # Walk-in issues: the ids read (and not found) with the batch's tickets, and the (day, number)s of the
    # centre's tickets holding one of the batch's numbers; None when not read (then each issue reads).
    absent: set[str] = field(default_factory=set)
    numbers: dict[tuple[str, str], str] | None = None


def prefetch(session: Session, batch: Sequence[Any]) -> Prefetched:
    """``batch``: the ops as sent (``kind`` and raw ``payload``); unreadable payloads are simply skipped."""
    creates = [op.payload for op in batch if op.kind == ops.DOSSIER_CREATE.name]
    ids, codes = sorted({str(p.get("dossier_id")) for p in creates}), sorted({str(p.get("code")) for p in creates})
    changes = sorted(
        {
            str(op.payload.get("dossier_id"))
            for op in batch
            if op.kind in (ops.DOSSIER_AMEND.name, ops.DOSSIER_RETURN.name, ops.DOSSIER_VOID.name)
        }
    )
    lease_ids = sorted({str(p["lease_id"]) for p in creates if p.get("lease_id")})
    found = Prefetched()
    if ids:  # two reads, not one with OR: PostgreSQL answers that with a scan of the whole table
        found.dossiers = set(session.scalars(select(Dossier.id).where(among(session, Dossier.id, ids))))
        held = session.execute(select(Dossier.code, Dossier.id).where(among(session, Dossier.code, codes))).all()
        found.codes = {row.code: row.id for row in held}
    if changes:
        rows = session.scalars(
            select(Dossier)
            .where(among(session, Dossier.id, changes))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found.locked = {row.id: row for row in rows}
    ticket_ids = sorted(
        {
            str(op.payload.get("ticket_id"))
            for op in batch
            if op.kind.startswith("ticket.") and op.kind != ops.TICKET_ISSUE.name
        }
    )
    if ticket_ids:
        tickets = session.scalars(
            select(Ticket)
            .where(among(session, Ticket.id, ticket_ids))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found.tickets = {ticket.id: ticket for ticket in tickets}
    if lease_ids:
        leases = session.scalars(select(CodeLease).where(among(session, CodeLease.id, lease_ids)))
        found.leases = {row.id: row for row in leases}
    return found


def prefetch_issues(session: Session, batch: Sequence[Any], centre_id: str, found: Prefetched) -> None:
    """Read what the batch's walk-in issues would each read (is the ticket id known, is its number taken)
    in two queries: per issue, those are two round trips, half of a drain's time in batches of walk-ins.
    Not for the op-by-op retry: a savepoint rolled back would leave this record of the batch wrong."""
    issues = [op.payload for op in batch if op.kind == ops.TICKET_ISSUE.name]
    if not issues:
        return
    ids = sorted({str(p.get("ticket_id")) for p in issues} - set(found.tickets))
    known = set(session.scalars(select(Ticket.id).where(among(session, Ticket.id, ids))))
    found.absent = set(ids) - known
    numbers = sorted({str(p.get("number")) for p in issues})
    held = session.execute(
        select(Ticket.day, Ticket.number, Ticket.id).where(
            Ticket.centre_id == centre_id, among(session, Ticket.number, numbers)
        )
    )
    found.numbers = {(row.day.isoformat(), row.number): row.id for row in held}


@dataclass(frozen=True)
class Context:
    session: Session
    device: Device
    centre: Centre
    counter: Counter | None
    user: User
    op_id: str
    epoch: int
    now: datetime
    prefetched: Prefetched = field(default_factory=Prefetched)
    created: NewDossiers = field(default_factory=NewDossiers)


class Refused(DomainError):
    """A permanent refusal of an op (recorded as ``rejected``, the watermark moves on)."""

    code = "sync.op_refused"


def local(value: datetime) -> datetime:
    """A payload time as the server stores times (aware UTC): the counter writes the centre's local wall
    time without an offset (Vietnam, UTC+7). Converting matters on SQLite, which keeps a datetime's wall
    time and drops its offset."""
    aware = value.replace(tzinfo=VIETNAM_TZ) if value.tzinfo is None else value
    return aware.astimezone(UTC)


def _flag(outcome: Outcome, code: str, reason: str, entity: tuple[str, str]) -> Outcome:
    outcome.status, outcome.code, outcome.reason, outcome.entity = "conflict", code, reason, entity
    return outcome


def _reject(code: str, reason: str, entity: tuple[str, str], canonical: dict[str, Any] | None = None) -> Outcome:
    return Outcome("rejected", code, reason, canonical=canonical, entity=entity)


# --- tickets -------------------------------------------------------------------------------------------


def _counter(ctx: Context) -> Counter:
    if ctx.counter is None:
        raise Refused("this device has no counter", field="counter")
    return ctx.counter


def _ticket_ref(ctx: Context, ticket_id: str) -> EntityRef:
    return (feed.centre_space(ctx.centre.id), "ticket", ticket_id)


def _service(ctx: Context, code: str | None) -> QueueService | None:
    if code is None:
        return None
    if not ctx.prefetched.services:
        ctx.prefetched.services = list(
            ctx.session.scalars(select(QueueService).where(QueueService.centre_id == ctx.centre.id))
        )
    wanted = code.strip().upper()
    return next((service for service in ctx.prefetched.services if service.code == wanted), None)


def ticket_issue(ctx: Context, p: payloads.TicketIssueV1) -> Outcome:
    """A walk-in ticket numbered from this device's lease: inserted if absent."""
    session, entity, known = ctx.session, ("ticket", p.ticket_id), ctx.prefetched
    existing = known.tickets.get(p.ticket_id)
    if existing is None and p.ticket_id not in known.absent:
        existing = session.get(Ticket, p.ticket_id)
    if existing is not None:
        if existing.centre_id != ctx.centre.id:
            raise Refused("the ticket id belongs to another centre")
        return Outcome(entities=[_ticket_ref(ctx, p.ticket_id)])
    service = _service(ctx, p.service)
    if service is None:
        return _flag(
            Outcome(), "service.not_found", f"service {p.service} is unknown here: ticket kept unqueued", entity
        )
    if known.numbers is not None:
        taken = known.numbers.get((p.issued_on.isoformat(), p.number))
    else:
        taken = session.scalar(
            select(Ticket.id).where(
                Ticket.centre_id == ctx.centre.id, Ticket.day == p.issued_on, Ticket.number == p.number
            )
        )
    if taken is not None:
        reason = f"number {p.number} of {p.issued_on} is already another ticket's: this one is kept unqueued"
        return _flag(Outcome(), "ticket.number_taken", reason, entity)
    ticket = Ticket(
        id=p.ticket_id,
        centre_id=ctx.centre.id,
        service_id=service.id,
        number=p.number,
        day=p.issued_on,
        priority=p.priority,
        state=TicketState.WAITING.value,
        issued_at=local(p.issued_at),
        recalls=0,
        version=0,
    )
    session.add(ticket)
    keep_online_numbering_clear(ctx.session, ctx.centre.id, p)
    known.absent.discard(ticket.id)
    if known.numbers is not None:
        known.numbers[(p.issued_on.isoformat(), p.number)] = ticket.id
    session.add(
        TicketEventRow(
            id=new_id(),
            ticket_id=ticket.id,
            position=0,
            kind=EventKind.ISSUED.value,
            at=local(p.issued_at),
            device_id=ctx.device.id,
            user_id=ctx.user.id,
        )
    )
    queue.publish_ticket(session, ticket, "ticket.issued")
    ctx.prefetched.tickets[ticket.id] = ticket  # the batch's next steps of this ticket need no SELECT
    return Outcome(entities=[_ticket_ref(ctx, ticket.id)])


_AT_COUNTER = frozenset({EventKind.RECALLED, EventKind.STARTED, EventKind.FINISHED, EventKind.NO_SHOW, EventKind.HELD})


def _call(ctx: Context, ticket: Ticket, counter: Counter, at: datetime) -> Outcome:
    session, entity = ctx.session, ("ticket", ticket.id)
    if ticket.state == TicketState.CALLED.value and ticket.counter_id == counter.id:
        return Outcome(entities=[_ticket_ref(ctx, ticket.id)])  # already this counter's call
    # the server's ticket goes with a refusal only: a won call does not read it (a round trip per call)
    if ticket.state not in (TicketState.WAITING.value, TicketState.HELD.value):
        lost = queue.lost_detail(session, ticket)
        return _reject(lost.code, str(lost), entity, feed.ticket_data(session, ticket.id))
    dealt_elsewhere = (
        ticket.dealt_to not in (None, counter.id)
        and ticket.dealt_until is not None
        and as_utc(ticket.dealt_until) > ctx.now
    )
    if dealt_elsewhere:
        canonical = feed.ticket_data(session, ticket.id)
        return _reject("ticket.dealt_elsewhere", f"{ticket.number} is in another counter's hand", entity, canonical)
    if ctx.prefetched.assigned is None:
        ctx.prefetched.assigned = queue.assigned_service_ids(session, counter)
    if ticket.dealt_to != counter.id and ticket.service_id not in ctx.prefetched.assigned:
        reason = f"{ticket.number}'s service is not assigned to counter {counter.number} (assignment {counter.epoch})"
        return _reject("service.not_assigned", reason, entity, feed.ticket_data(session, ticket.id))
    if not queue.claim(session, ticket.id, counter, at, (TicketState.WAITING, TicketState.HELD)):
        session.refresh(ticket)
        lost = queue.lost_detail(session, ticket)
        return _reject(lost.code, str(lost), entity, feed.ticket_data(session, ticket.id))
    queue.called(session, ticket.id, queue.Actor(counter, ctx.device, ctx.user), at)
    return Outcome(entities=[_ticket_ref(ctx, ticket.id)])


def ticket_event(ctx: Context, p: payloads.TicketEvent) -> Outcome:
    """Any step of a ticket's life after its issue. Facts that clash are kept and flagged; claims that
    clash are rejected with the server's ticket."""
    session, entity = ctx.session, ("ticket", p.ticket_id)
    kind = EventKind(p.event)  # type: ignore[attr-defined]
    claim = not ops.ALL[type(p).KIND.name].fact
    counter = _counter(ctx)
    at = local(p.at)
    ticket = ctx.prefetched.tickets.get(p.ticket_id)
    if ticket is None:  # issued earlier in this batch, or unknown
        ticket = session.get(Ticket, p.ticket_id, with_for_update=True, populate_existing=True)
    if ticket is None or ticket.centre_id != ctx.centre.id:
        if claim:
            return _reject("ticket.not_found", f"ticket {p.number} is unknown here", entity)
        return _flag(Outcome(), "ticket.not_found", f"ticket {p.number} is unknown here: the step is kept", entity)
    if kind is EventKind.CALLED:
        return _call(ctx, ticket, counter, at)
    refs = [_ticket_ref(ctx, ticket.id)]
    if kind in _AT_COUNTER and ticket.counter_id != counter.id:
        holder = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        where = f"at counter {holder.number}" if holder else ticket.state
        reason = f"{ticket.number} is {where}: this counter's step ({kind.value}) is kept and flagged"
        outcome = _flag(Outcome(entities=refs), "ticket.not_at_counter", reason, entity)
        outcome.canonical = feed.ticket_data(session, ticket.id)
        return outcome
    target = None
    if kind is EventKind.TRANSFERRED:
        target = _service(ctx, p.service)
        if target is None:
            return _reject("service.not_found", f"service {p.service} is unknown here", entity)
    try:
        after = apply_event(
            queue.domain_ticket(ticket),
            TicketEvent(kind, at, counter=counter.id, service=target.id if target else None, reason=p.reason),
        )
    except (IllegalTransition, TicketEventInvalid) as exc:
        canonical = feed.ticket_data(session, ticket.id)
        if claim:
            return _reject(exc.code, f"{ticket.number}: {exc}", entity, canonical)
        outcome = _flag(Outcome(entities=refs), exc.code, f"{ticket.number}: {exc}; the step is kept", entity)
        outcome.canonical = canonical
        return outcome
    ticket.state, ticket.recalls, ticket.counter_id = after.state.value, after.recalls, after.counter
    if target is not None:
        ticket.service_id = target.id
    if kind in (EventKind.TRANSFERRED, EventKind.UNHELD, EventKind.REACTIVATED):
        ticket.dealt_to, ticket.dealt_until = None, None
    ticket.version += 1
    queue.record_event(session, ticket, kind, at, queue.Actor(counter, ctx.device, ctx.user))
    if kind is EventKind.RECALLED:
        queue.publish_ticket(session, ticket, "ticket.recalled", counter)
    return Outcome(entities=refs)


# --- dossiers ------------------------------------------------------------------------------------------

IMMUTABLE = frozenset({"dossier_id", "code", "lease_id", "procedure_code", "received_at", "register", "counter"})


def _form(p: payloads.Payload, *drop: str) -> dict[str, Any]:
    data = p.model_dump(mode="json", by_alias=True)
    for key in drop:
        data.pop(key, None)
    return data


def _dossier_ref(ctx: Context, dossier_id: str) -> EntityRef:
    return (feed.centre_space(ctx.centre.id), "dossier", dossier_id)


def dossier_create(ctx: Context, p: payloads.DossierCreateV1) -> Outcome:
    session, entity = ctx.session, ("dossier", p.dossier_id)
    refs = [_dossier_ref(ctx, p.dossier_id)]
    known = ctx.prefetched.dossiers
    if p.dossier_id in ctx.created.unwritten:  # created earlier in this batch, so in this centre
        return Outcome(entities=refs)
    existing = session.get(Dossier, p.dossier_id) if p.dossier_id in known else None
    if existing is not None:
        if existing.centre_id != ctx.centre.id:
            raise Refused("the dossier id belongs to another centre")
        return Outcome(entities=refs)
    known.add(p.dossier_id)
    try:  # the form as ``_form`` makes it, serialised once for both tables
        form = p.model_dump_json(by_alias=True)
    except PydanticSerializationError:
        form = json.dumps(_form(p))
    row = {
        "id": p.dossier_id,
        "centre_id": ctx.centre.id,
        "device_id": ctx.device.id,
        "code": p.code,
        "procedure_code": p.procedure_code,
        "status": "received",
        "version": 1,
        "received_at": local(p.received_at),
        "due_at": local(p.due_at) if p.due_at else None,
    }
    ctx.created.add(row, form, ctx.op_id)
    outcome = Outcome(entities=refs)
    holder = ctx.prefetched.codes.setdefault(p.code, p.dossier_id)
    if holder != p.dossier_id:
        return _flag(outcome, "dossier.code_duplicate", f"code {p.code} was already given to another dossier", entity)
    problem = lease_problem(ctx.session, ctx.centre.agency_code, ctx.device.id, ctx.prefetched.leases, p)
    if problem == "dossier.code_foreign":
        return _flag(outcome, problem, f"code {p.code} is not of this centre's agency", entity)
    if problem is not None:
        return _flag(outcome, problem, f"code {p.code} is outside this device's lease", entity)
    return outcome


def _fields(form: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields, with the applicant's and owner's split one level down (``applicant.phone``)."""
    flat: dict[str, Any] = {}
    for key, value in form.items():
        if key in ("applicant", "owner") and isinstance(value, dict):
            flat.update({f"{key}.{sub}": item for sub, item in value.items()})
            flat[key] = value is not None
        else:
            flat[key] = value
    return flat


def _unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for key, value in flat.items():
        if "." not in key and key not in ("applicant", "owner"):
            form[key] = value
    for part in ("applicant", "owner"):
        if flat.get(part):
            form[part] = {k.split(".", 1)[1]: v for k, v in flat.items() if k.startswith(f"{part}.")}
        else:
            form[part] = None
    return form


def _locked_dossier(ctx: Context, dossier_id: str) -> Dossier | None:
    """The dossier, locked for this transaction: from the batch's prefetch, else read FOR UPDATE now (one
    created earlier in the same batch)."""
    found = ctx.prefetched.locked.get(dossier_id)
    if found is None:
        found = ctx.session.get(Dossier, dossier_id, with_for_update=True, populate_existing=True)
        if found is not None:
            ctx.prefetched.locked[dossier_id] = found
    return found


def dossier_amend(ctx: Context, p: payloads.DossierAmendV1) -> Outcome:
    session, entity = ctx.session, ("dossier", p.dossier_id)
    dossier = _locked_dossier(ctx, p.dossier_id)
    if dossier is None or dossier.centre_id != ctx.centre.id:
        raise Refused(f"dossier {p.code} is unknown here")
    base = session.get(DossierRevision, (p.dossier_id, p.base_version))
    if base is None:
        raise Refused(f"version {p.base_version} of dossier {p.code} is unknown here")
    old, current, new = _fields(base.data), _fields(dossier.data), _fields(_form(p, "base_version"))
    keys = (old.keys() | new.keys()) - IMMUTABLE
    mine = {k for k in keys if new.get(k) != old.get(k)}
    clash = {k for k in mine if current.get(k) != old.get(k) and current.get(k) != new.get(k)}
    merged = dict(current)
    merged.update({k: new.get(k) for k in mine - clash})
    form = _unflatten(merged)
    if form != dossier.data:
        dossier.data = form
        dossier.version += 1
        if "due_at" in mine - clash:
            dossier.due_at = local(p.due_at) if p.due_at else None
        session.add(DossierRevision(dossier_id=dossier.id, version=dossier.version, data=form, op_id=ctx.op_id))
    outcome = Outcome(entities=[_dossier_ref(ctx, dossier.id)])
    if clash:
        outcome.losing = {k: new.get(k) for k in sorted(clash)}
        outcome.canonical = feed.dossier_data(session, dossier.id)
        names = ", ".join(sorted(clash))
        reason = f"dossier {p.code}: {names} changed meanwhile; the server's value kept, this one kept for review"
        return _flag(outcome, "dossier.amend_conflict", reason, entity)
    return outcome


def dossier_return(ctx: Context, p: payloads.DossierReturnV1) -> Outcome:
    entity = ("dossier", p.dossier_id)
    dossier = _locked_dossier(ctx, p.dossier_id)
    if dossier is None or dossier.centre_id != ctx.centre.id:
        return _flag(Outcome(), "dossier.not_found", f"dossier {p.code} is unknown here: the return is kept", entity)
    refs = [_dossier_ref(ctx, dossier.id)]
    returned = {"returned_at": p.returned_at.isoformat(), "collected_by": p.collected_by, "note": p.note}
    if dossier.status == "returned":
        if dossier.data.get("return") == returned:
            return Outcome(entities=refs)
        return _flag(Outcome(entities=refs), "dossier.already_returned", f"dossier {p.code} was returned", entity)
    dossier.status, dossier.returned_at = "returned", local(p.returned_at)
    dossier.data = {**dossier.data, "return": returned}
    dossier.version += 1
    return Outcome(entities=refs)


def dossier_void(ctx: Context, p: payloads.DossierVoidV1) -> Outcome:
    """A claim (``apply_void``): refused with the server's dossier, which the counter takes back."""
    dossier = _locked_dossier(ctx, p.dossier_id)
    refusal = void_dossier(ctx.session, dossier, ctx.device, p, ctx.user.id, ctx.op_id)
    if refusal is None:
        return Outcome(entities=[_dossier_ref(ctx, p.dossier_id)])
    canonical = None if refusal.code == "dossier.not_found" else feed.dossier_data(ctx.session, p.dossier_id)
    return _reject(refusal.code, refusal.reason, ("dossier", p.dossier_id), canonical)


def code_void(ctx: Context, p: payloads.CodeVoidV1) -> Outcome:
    record_code_void(ctx.session, ctx.device, p, ctx.now)
    return Outcome()


# --- other facts ---------------------------------------------------------------------------------------


def _record(
    ctx: Context, record_id: str, kind: str, reference: str | None, at: datetime, data: dict[str, Any]
) -> Outcome:
    existing = ctx.session.get(RecordRow, record_id)
    if existing is not None:
        if existing.centre_id != ctx.centre.id:
            raise Refused("the record id belongs to another centre")
        return Outcome()
    ctx.session.add(
        RecordRow(
            id=record_id,
            centre_id=ctx.centre.id,
            device_id=ctx.device.id,
            kind=kind,
            reference=reference,
            data=data,
            at=local(at),
        )
    )
    return Outcome()


def supplement_create(ctx: Context, p: payloads.SupplementCreateV1) -> Outcome:
    return _record(ctx, p.id, ops.SUPPLEMENT_CREATE.name, p.dossier_id, p.created_at, _form(p))


def refusal_create(ctx: Context, p: payloads.RefusalCreateV1) -> Outcome:
    return _record(ctx, p.id, ops.REFUSAL_CREATE.name, p.procedure_code, p.created_at, _form(p))


def receipt_printed(ctx: Context, p: payloads.ReceiptPrintedV1) -> Outcome:
    return _record(ctx, p.job_id, ops.RECEIPT_PRINTED.name, p.reference[:80], p.printed_at, _form(p))


# --- the counter ---------------------------------------------------------------------------------------


def counter_status(ctx: Context, p: payloads.CounterPauseV1 | payloads.CounterResumeV1) -> Outcome:
    """A clerk paused or resumed the device's counter (``apply_counter``): a fact, never rejected for the
    counter's state; on a counter the lead closed it is kept and flagged ``counter.closed``."""
    counter = _counter(ctx)
    reason = p.reason if isinstance(p, payloads.CounterPauseV1) else None
    flag = set_counter_status(ctx.session, counter, reason, ctx.now)
    outcome = Outcome(entities=[(feed.centre_space(ctx.centre.id), "counter", counter.id)])
    return outcome if flag is None else _flag(outcome, flag.code, flag.reason, ("counter", counter.id))


Applier = Callable[[Context, Any], Outcome]
_TICKET_EVENTS = (
    ops.TICKET_CALL, ops.TICKET_RECALL, ops.TICKET_START, ops.TICKET_FINISH, ops.TICKET_NO_SHOW, ops.TICKET_HOLD,
    ops.TICKET_UNHOLD, ops.TICKET_TRANSFER, ops.TICKET_CANCEL, ops.TICKET_REACTIVATE,
)  # fmt: skip
APPLIERS: dict[str, Applier] = {
    ops.TICKET_ISSUE.name: ticket_issue,
    **{kind.name: ticket_event for kind in _TICKET_EVENTS},
    ops.DOSSIER_CREATE.name: dossier_create,
    ops.DOSSIER_AMEND.name: dossier_amend,
    ops.DOSSIER_RETURN.name: dossier_return,
    ops.DOSSIER_VOID.name: dossier_void,
    ops.CODE_VOID.name: code_void,
    ops.SUPPLEMENT_CREATE.name: supplement_create,
    ops.REFUSAL_CREATE.name: refusal_create,
    ops.RECEIPT_PRINTED.name: receipt_printed,
    ops.COUNTER_PAUSE.name: counter_status,
    ops.COUNTER_RESUME.name: counter_status,
}

# The permission each op needs, checked against the user's role at the op's time (SYNC.md §4 Auth).
ACTIONS: dict[str, str] = {
    ops.TICKET_ISSUE.name: "ticket.issue",
    **{kind.name: "queue.call" for kind in _TICKET_EVENTS},
    ops.TICKET_TRANSFER.name: "queue.transfer",
    ops.DOSSIER_CREATE.name: "dossier.intake",
    ops.DOSSIER_AMEND.name: "dossier.amend",
    ops.DOSSIER_RETURN.name: "dossier.return",
    ops.DOSSIER_VOID.name: "dossier.intake",  # the clerk who received it corrects the intake
    ops.CODE_VOID.name: "dossier.intake",
    ops.SUPPLEMENT_CREATE.name: "dossier.intake",
    ops.REFUSAL_CREATE.name: "dossier.intake",
    ops.RECEIPT_PRINTED.name: "receipt.print",
    ops.COUNTER_PAUSE.name: "queue.call",  # the clerk who calls at this counter may stop calling
    ops.COUNTER_RESUME.name: "queue.call",
}
