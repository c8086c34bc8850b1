from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterapp.domain.ticket import (
    TRANSITIONS,
    EventKind,
    IllegalTransition,
    RecallLimitReached,
    TicketEvent,
    TicketEventInvalid,
    TicketState,
    apply,
    issue,
    kpis,
    replay,
)

T0 = datetime(2025, 3, 17, 8, 0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(kind: EventKind, minutes: float, **kw) -> TicketEvent:
    return TicketEvent(kind, at(minutes), **kw)


def test_the_happy_path_and_its_kpis():
    # GIVEN a ticket issued at 08:00
    t = issue("A015", "HT", T0)
    # WHEN it is called at 08:12, served from 08:14 to 08:30
    t = apply(t, ev(EventKind.CALLED, 12, counter="5"))
    t = apply(t, ev(EventKind.STARTED, 14, counter="5"))
    t = apply(t, ev(EventKind.FINISHED, 30, counter="5", outcome="dossier_received"))
    # THEN
    assert t.state is TicketState.DONE and t.counter == "5"
    k = kpis(t)
    assert k.waiting == timedelta(minutes=12)
    assert k.first_wait == timedelta(minutes=12)
    assert k.walk_up == timedelta(minutes=2)
    assert k.service == timedelta(minutes=16)
    assert k.total == timedelta(minutes=30)


def test_transfer_keeps_the_number_and_sums_the_waits():
    t = issue("A015", "HT", T0)
    for e in [
        ev(EventKind.CALLED, 5, counter="1"),
        ev(EventKind.STARTED, 6, counter="1"),
        ev(EventKind.TRANSFERRED, 10, service="CT", reason="sai quầy"),
        ev(EventKind.CALLED, 25, counter="7"),
        ev(EventKind.STARTED, 26, counter="7"),
        ev(EventKind.FINISHED, 40, counter="7"),
    ]:
        t = apply(t, e)
    assert t.number == "A015" and t.service == "CT" and t.counter == "7"
    k = kpis(t)
    assert k.waiting == timedelta(minutes=5 + 15)
    assert k.walk_up == timedelta(minutes=2)
    assert k.service == timedelta(minutes=4 + 14)
    assert k.first_wait == timedelta(minutes=5)
    assert k.total == timedelta(minutes=40)


def test_hold_and_back_no_show_and_reactivate():
    t = issue("B002", "DD", T0, priority="elderly")
    t = apply(t, ev(EventKind.CALLED, 1, counter="2"))
    t = apply(t, ev(EventKind.STARTED, 2, counter="2"))
    t = apply(t, ev(EventKind.HELD, 3, counter="2", reason="đi photo giấy tờ"))
    assert t.state is TicketState.HELD
    t = apply(t, ev(EventKind.CALLED, 13, counter="2"))  # the clerk calls the parked ticket back
    t = apply(t, ev(EventKind.NO_SHOW, 15, counter="2"))
    assert t.state is TicketState.NO_SHOW
    t = apply(t, ev(EventKind.REACTIVATED, 20))
    assert t.state is TicketState.WAITING and t.counter is None
    assert kpis(t).held == timedelta(minutes=10)
    assert kpis(t).total is None  # still open
    assert kpis(t, now=at(30)).total == timedelta(minutes=30)
    assert kpis(t, now=at(30)).waiting == timedelta(minutes=1 + 10)


def test_unhold_returns_to_the_queue_and_cancel_reactivate():
    t = issue("A001", "HT", T0)
    t = apply(apply(t, ev(EventKind.CALLED, 1, counter="1")), ev(EventKind.HELD, 2))
    t = apply(t, ev(EventKind.UNHELD, 3))
    assert t.state is TicketState.WAITING and t.counter is None
    t = apply(t, ev(EventKind.CANCELLED, 4, reason="công dân về"))
    assert t.state is TicketState.CANCELLED
    assert kpis(t).total == timedelta(minutes=4)
    assert apply(t, ev(EventKind.REACTIVATED, 5)).state is TicketState.WAITING


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], EventKind.STARTED),  # cannot start before the call
        ([], EventKind.FINISHED),
        ([], EventKind.NO_SHOW),
        ([(EventKind.CALLED, "1")], EventKind.FINISHED),  # cannot finish without starting
        ([(EventKind.CALLED, "1"), (EventKind.STARTED, "1"), (EventKind.FINISHED, "1")], EventKind.CALLED),
        ([(EventKind.CALLED, "1"), (EventKind.STARTED, "1")], EventKind.NO_SHOW),
        ([(EventKind.CALLED, "1"), (EventKind.STARTED, "1")], EventKind.CANCELLED),
        ([], EventKind.REACTIVATED),
        ([], EventKind.UNHELD),
    ],
)
def test_illegal_transitions_raise(path, bad):
    t = issue("A001", "HT", T0)
    for i, (kind, counter) in enumerate(path):
        t = apply(t, ev(kind, i + 1, counter=counter))
    with pytest.raises(IllegalTransition) as caught:
        apply(t, ev(bad, 10, counter="1"))
    assert caught.value.code == "ticket.illegal_transition"
    assert caught.value.params == {"state": t.state.value, "event": bad.value}


def test_recall_limit():
    t = apply(issue("A001", "HT", T0), ev(EventKind.CALLED, 1, counter="3"))
    t = apply(t, ev(EventKind.RECALLED, 2, counter="3"), recall_limit=2)
    t = apply(t, ev(EventKind.RECALLED, 3, counter="3"), recall_limit=2)
    assert t.recalls == 2 and t.state is TicketState.CALLED
    with pytest.raises(RecallLimitReached) as caught:
        apply(t, ev(EventKind.RECALLED, 4, counter="3"), recall_limit=2)
    assert caught.value.params == {"limit": 2}
    # without a limit recalls go on; a new call resets the count
    assert apply(t, ev(EventKind.RECALLED, 4, counter="3")).recalls == 3


def test_events_must_be_complete():
    t = issue("A001", "HT", T0)
    with pytest.raises(TicketEventInvalid):
        apply(t, ev(EventKind.CALLED, 1))  # no counter
    with pytest.raises(TicketEventInvalid):
        apply(t, ev(EventKind.TRANSFERRED, 1, service="HT"))  # to the same service
    with pytest.raises(TicketEventInvalid):
        replay([ev(EventKind.CALLED, 1, counter="1")], "A001")


def test_replay_rebuilds_the_same_ticket():
    events = [
        TicketEvent(EventKind.ISSUED, T0, service="HT", priority="disabled"),
        ev(EventKind.CALLED, 3, counter="4"),
        ev(EventKind.RECALLED, 4, counter="4"),
        ev(EventKind.STARTED, 5, counter="4"),
    ]
    t = replay(events, "A009")
    assert (t.state, t.counter, t.recalls, t.priority) == (TicketState.SERVING, "4", 1, "disabled")
    assert t.events == tuple(events)


@given(st.lists(st.sampled_from(list(EventKind)), max_size=30))
def test_any_event_sequence_either_applies_by_the_table_or_raises(kinds):
    t = issue("A001", "HT", T0)
    for i, kind in enumerate(kinds):
        if kind is EventKind.ISSUED:
            continue
        event = ev(kind, i + 1, counter="1", service=f"S{i}")
        expected = TRANSITIONS.get((t.state, kind))
        if expected is None:
            with pytest.raises(IllegalTransition):
                apply(t, event)
        else:
            t = apply(t, event)
            assert t.state is expected
    k = kpis(t, now=at(len(kinds) + 1))
    assert k.waiting + k.walk_up + k.service + k.held <= k.total
