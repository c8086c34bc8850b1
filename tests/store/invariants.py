"""What must hold in a data directory after any crash: no state without its op, no op without its
state, a gap-free device sequence, and every number of a lease used at most once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from counterapp.domain.codes import parse_dossier_code, parse_ticket_number
from counterapp.protocol import ops
from counterapp.services.leases import LeaseKind
from counterapp.store.dossier_models import DossierComponentRow, DossierRow, DossierStatusRow
from counterapp.store.outbox import device_meta
from counterapp.store.queue_models import TicketEventRow, TicketRow
from counterapp.store.search_index import TABLE
from counterapp.store.sync_models import NumberLeaseRow, OutboxRow

# The state a ticket is in after each kind of event the workers write.
STATE_AFTER = {"issued": "waiting", "called": "called", "started": "serving", "finished": "done"}


@dataclass(frozen=True)
class Totals:
    ops: int
    dossiers: int
    tickets: int
    events: int


def _check_lease(session: Session, kind: LeaseKind, scope: str, used: list[int]) -> None:
    duplicates = [n for n, k in Counter(used).items() if k > 1]
    assert not duplicates, f"{kind} numbers of {scope} used twice: {duplicates}"
    rows = session.scalars(
        select(NumberLeaseRow).where(NumberLeaseRow.kind == kind.value, NumberLeaseRow.scope == scope)
    ).all()
    assert len(rows) == 1, f"expected one {kind} lease for {scope}"
    lease = rows[0]
    assert lease.next_value == (max(used) + 1 if used else lease.range_start), (
        f"{kind} lease of {scope} is at {lease.next_value} but the highest number used is {max(used, default=None)}"
    )
    assert sorted(used) == list(range(lease.range_start, lease.next_value)), f"{kind} numbers of {scope} skip"


def check_invariants(session: Session) -> Totals:
    """Assert every invariant on the committed state; return what the directory holds."""
    meta = device_meta(session)
    outbox = session.scalars(select(OutboxRow).order_by(OutboxRow.client_seq)).all()
    seqs = [op.client_seq for op in outbox]
    assert seqs == list(range(1, len(seqs) + 1)), "the device sequence has a gap"
    assert len(seqs) == meta.last_client_seq, f"{len(seqs)} ops but last_client_seq is {meta.last_client_seq}"
    op_ids = {op.op_id for op in outbox}

    # Dossiers ↔ dossier.create ops, one each; with their documents, status row and search entry.
    dossiers = session.scalars(select(DossierRow)).all()
    ids = {d.id for d in dossiers}
    creates = Counter(op.payload["dossier_id"] for op in outbox if op.kind == ops.DOSSIER_CREATE.name)
    assert set(creates) == ids, "a dossier without its create op, or an op without its dossier"
    assert all(n == 1 for n in creates.values()), "a dossier with two create ops"
    create_codes = {op.payload["dossier_id"]: op.payload["code"] for op in outbox if op.kind == ops.DOSSIER_CREATE.name}
    assert all(create_codes[d.id] == d.code for d in dossiers), "a create op with another code than its dossier"
    with_documents = set(session.scalars(select(DossierComponentRow.dossier_id).distinct()))
    with_status = set(session.scalars(select(DossierStatusRow.dossier_id).distinct()))
    assert with_documents == ids and with_status == ids, "a dossier without its documents or status row"
    indexed = sorted(session.execute(text(f"SELECT dossier_pk FROM {TABLE}")).scalars())
    assert indexed == sorted(d.pk for d in dossiers), "the search index and the dossiers disagree"

    # Dossier codes: unique, each the lease's number (and register line) of its day, no number twice.
    codes = [d.code for d in dossiers]
    assert len(set(codes)) == len(codes), "duplicate dossier code"
    sequences = []
    for d in dossiers:
        parsed = parse_dossier_code(d.code)
        assert parsed.received_on == d.received_on and parsed.sequence == d.register_line
        sequences.append(parsed.sequence)
    if dossiers:
        _check_lease(session, LeaseKind.DOSSIER_CODE, meta.agency_code, sequences)

    # Ticket events ↔ ticket ops, one each; each ticket starts with its issued event.
    events = session.scalars(select(TicketEventRow)).all()
    by_op = Counter(e.op_id for e in events)
    ticket_ops = {op.op_id for op in outbox if op.kind.startswith("ticket.")}
    assert set(by_op) <= op_ids, "a ticket event whose op is missing"
    assert set(by_op) == ticket_ops, "a ticket op without its event row"
    assert all(n == 1 for n in by_op.values()), "two events carried by one op"
    tickets = session.scalars(select(TicketRow)).all()
    histories: dict[str, list[TicketEventRow]] = {t.id: [] for t in tickets}
    for e in events:
        histories[e.ticket_id].append(e)
    for t in tickets:
        history = sorted(histories[t.id], key=lambda e: e.position)
        assert [e.position for e in history] == list(range(len(history))), f"ticket {t.number}: events missing"
        assert history and history[0].kind == "issued", f"ticket {t.number} has no issued event"
        assert STATE_AFTER[history[-1].kind] == t.state, f"ticket {t.number} is {t.state} after {history[-1].kind}"
    numbers: dict[str, list[int]] = {}
    for t in tickets:
        parsed_number = parse_ticket_number(t.number)
        numbers.setdefault(parsed_number.prefix, []).append(parsed_number.number)
    for prefix, used in numbers.items():
        _check_lease(session, LeaseKind.TICKET, prefix, used)
    return Totals(len(outbox), len(dossiers), len(tickets), len(events))
