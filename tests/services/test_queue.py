from datetime import timedelta

import pytest
from sqlalchemy import func, select

from counterapp.domain.ticket import EventKind, IllegalTransition, RecallLimitReached, TicketState
from counterapp.services import device, queue
from counterapp.services.errors import InvalidState, NotFound, QueueEmpty
from counterapp.store import outbox
from counterapp.store.queue_models import TicketEventRow, TicketRow
from counterapp.store.reference_models import AssignmentRow
from counterapp.store.sync_models import OutboxRow

from .conftest import NOW

E = EventKind


def issue(store, service="HTCT", priority=None, minutes=0):
    with store.write() as s:
        return queue.issue_walkin(s, service_code=service, now=NOW + timedelta(minutes=minutes), user_id="clerk-1",
                                  priority=priority)  # fmt: skip


def act(store, kind, number=None, minutes=30, **kw):
    with store.write() as s:
        return queue.act(s, kind, number, now=NOW + timedelta(minutes=minutes), user_id="clerk-1", **kw)


def call_next(store, minutes=30, **kw):
    with store.write() as s:
        return queue.call_next(s, now=NOW + timedelta(minutes=minutes), user_id="clerk-1", **kw)


def ops_and_events(store):
    with store.read() as s:
        ops = s.scalars(select(OutboxRow).order_by(OutboxRow.client_seq)).all()
        events = s.scalars(select(TicketEventRow)).all()
        return [(o.kind, o.op_id) for o in ops], {e.op_id: e.kind for e in events}


def test_walkin_numbers_come_from_the_service_lease(store):
    assert [issue(store).number for _ in range(2)] == ["A001", "A002"]
    assert issue(store, "DDXD").number == "B001"
    with pytest.raises(NotFound):
        issue(store, "NOPE")


def test_the_whole_path_writes_one_op_and_one_event_per_step(store):
    issue(store)
    ticket = call_next(store)
    assert (ticket.number, ticket.state, ticket.counter) == ("A001", TicketState.CALLED, "5")
    act(store, E.RECALLED, minutes=31)
    act(store, E.STARTED, minutes=32)
    done = act(store, E.FINISHED, minutes=45, outcome="dossier_received")
    assert done.state is TicketState.DONE
    assert [e.kind for e in done.events] == [E.ISSUED, E.CALLED, E.RECALLED, E.STARTED, E.FINISHED]
    ops, events = ops_and_events(store)
    assert [k for k, _ in ops] == ["ticket.issue", "ticket.call", "ticket.recall", "ticket.start", "ticket.finish"]
    assert {op_id for _, op_id in ops} == set(events)  # every op has its event and every event its op
    with store.read() as s:
        finish = s.scalars(select(OutboxRow).where(OutboxRow.kind == "ticket.finish")).one()
    assert finish.payload["outcome"] == "dossier_received" and finish.payload["number"] == "A001"


def test_an_illegal_step_raises_and_writes_nothing(store):
    issue(store)
    before = ops_and_events(store)
    with pytest.raises(IllegalTransition):
        act(store, E.FINISHED, "A001")
    assert ops_and_events(store) == before
    with store.read() as s:
        assert s.scalars(select(TicketRow.state)).one() == "waiting"


def test_strict_priority_then_interleave(store):
    issue(store, minutes=0)  # A001
    issue(store, minutes=1)  # A002
    issue(store, priority="elderly", minutes=2)  # A003
    issue(store, minutes=3)  # A004
    assert call_next(store).number == "A003"  # strict: the priority ticket first
    with store.write() as s:
        device.set_setting(s, "priority_rule", "interleave")
        device.set_setting(s, "priority_every", 1)
    issue(store, priority="disabled", minutes=4)  # A005
    # after one regular call, one priority call
    assert [call_next(store).number for _ in range(3)] == ["A001", "A005", "A002"]
    with store.read() as s:
        assert [t.number for t in queue.waiting(s, now=NOW)] == ["A004"]


def test_call_next_serves_only_assigned_services(store):
    issue(store, "HTCT")
    issue(store, "DDXD", minutes=1)
    with store.write() as s:
        s.add(AssignmentRow(counter_number="5", service_code="DDXD"))
    assert call_next(store).number == "B001"
    with pytest.raises(QueueEmpty):
        call_next(store)


def test_offline_only_the_hand_and_walkins(store):
    issue(store)  # a walk-in: always callable
    with store.write() as s:  # a kiosk ticket dealt to counter 5 until 09:40, another not dealt
        for number, dealt in (("A500", "5"), ("A501", None)):
            until = NOW + timedelta(minutes=40)
            s.add(TicketRow(id=number, number=number, service_code="HTCT", issued_on=NOW.date(), issued_at=NOW,
                            origin="kiosk", state="waiting", dealt_to=dealt, dealt_until=until))  # fmt: skip
            s.flush()
            s.add(TicketEventRow(id=f"e-{number}", ticket_id=number, position=0, kind="issued", at=NOW,
                                 service_code="HTCT"))  # fmt: skip
    assert call_next(store, only_hand=True).number == "A001"
    assert call_next(store, only_hand=True).number == "A500"
    with pytest.raises(QueueEmpty):
        call_next(store, only_hand=True)
    assert call_next(store).number == "A501"  # online, the server decides


def test_an_expired_hand_is_not_callable_offline(store):
    with store.write() as s:
        until = NOW + timedelta(minutes=10)
        s.add(TicketRow(id="t", number="A600", service_code="HTCT", issued_on=NOW.date(), issued_at=NOW,
                        origin="kiosk", state="waiting", dealt_to="5", dealt_until=until))  # fmt: skip
        s.flush()
        s.add(TicketEventRow(id="e", ticket_id="t", position=0, kind="issued", at=NOW, service_code="HTCT"))
    with pytest.raises(QueueEmpty):
        call_next(store, minutes=11, only_hand=True)


def test_call_a_specific_ticket_hold_and_back(store):
    issue(store)
    issue(store, minutes=1)
    assert act(store, E.CALLED, "a002").number == "A002"  # lower case typed: still found
    held = act(store, E.HELD, reason="đi photo giấy tờ")
    assert held.state is TicketState.HELD and held.events[-1].reason == "đi photo giấy tờ"
    assert act(store, E.CALLED, "A002").state is TicketState.CALLED
    act(store, E.HELD)
    back = act(store, E.UNHELD, "A002")
    assert back.state is TicketState.WAITING and back.counter is None


def test_transfer_keeps_the_number_and_requeues(store):
    issue(store)
    call_next(store)
    moved = act(store, E.TRANSFERRED, "A001", to_service="ddxd", reason="sai lĩnh vực")
    assert (moved.number, moved.service, moved.state) == ("A001", "DDXD", TicketState.WAITING)
    with pytest.raises(NotFound):
        act(store, E.TRANSFERRED, "A001", to_service="NOPE")


def test_no_show_cancel_and_reactivate(store):
    issue(store)
    call_next(store)
    assert act(store, E.NO_SHOW).state is TicketState.NO_SHOW
    assert act(store, E.REACTIVATED, "A001").state is TicketState.WAITING
    assert act(store, E.CANCELLED, "A001", reason="công dân về").state is TicketState.CANCELLED


def test_recall_limit_from_the_centre_settings(store):
    with store.write() as s:
        device.set_setting(s, "recall_limit", 1)
    issue(store)
    call_next(store)
    act(store, E.RECALLED)
    with pytest.raises(RecallLimitReached):
        act(store, E.RECALLED)


def test_only_the_counter_holding_a_ticket_may_serve_it(store):
    issue(store)
    call_next(store)
    with store.write() as s:  # another counter has it now
        s.execute(TicketRow.__table__.update().values(counter_number="9"))
    with pytest.raises(InvalidState) as caught:
        act(store, E.STARTED, "A001")
    assert caught.value.code == "ticket.other_counter"


def test_no_ticket_at_the_counter_and_unknown_numbers(store):
    with pytest.raises(NotFound):
        act(store, E.RECALLED)
    with pytest.raises(NotFound):
        act(store, E.CALLED, "Z999")
    with store.read() as s:
        assert queue.current_ticket(s, now=NOW) is None


def test_the_device_sequence_counts_every_op(store):
    for minute in range(3):
        issue(store, minutes=minute)
    call_next(store)
    with store.read() as s:
        seqs = s.scalars(select(OutboxRow.client_seq).order_by(OutboxRow.client_seq)).all()
        assert seqs == [1, 2, 3, 4]
        assert s.scalar(select(func.count()).select_from(TicketEventRow)) == 4


def test_orm_objects_held_in_the_transaction_see_what_call_next_wrote(store):
    # GIVEN a transaction that already holds the device row and the waiting ticket as ORM objects
    issue(store)
    with store.write() as s:
        meta = outbox.device_meta(s)
        held = queue.find_ticket(s, "A001", now=NOW)
        # WHEN call-next (Core statements) runs, then ORM code takes the next op of the sequence
        queue.call_next(s, now=NOW + timedelta(minutes=30), user_id="clerk-1")
        queue.issue_walkin(s, service_code="HTCT", now=NOW + timedelta(minutes=31), user_id="clerk-1")
        # THEN the held objects show the call, and the sequence went on without a gap or a repeat
        assert (held.state, held.counter_number) == ("called", "5")
        assert meta.last_client_seq == 3
    with store.read() as s:
        assert s.scalars(select(OutboxRow.client_seq).order_by(OutboxRow.client_seq)).all() == [1, 2, 3]


def test_an_unknown_priority_class_is_refused_by_name(store):
    from counterapp.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        issue(store, priority="vip")
    assert (caught.value.fields, caught.value.errors[0].code) == (("priority",), "priority.unknown")
    with store.read() as s:
        assert s.scalars(select(TicketRow)).all() == []  # nothing issued, no number used
