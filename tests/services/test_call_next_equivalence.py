"""call-next reads only two candidate rows; it must still pick exactly what the domain rules pick
from the whole waiting queue, whatever the queue, the rule and the class ranks."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import delete

from counterapp.domain.priority import OrderingRule, PriorityPolicy, call_order
from counterapp.domain.ticket import Ticket, TicketState
from counterapp.services import device, queue
from counterapp.store.queue_models import TicketEventRow, TicketRow

from .conftest import NOW

CLASSES = [None, None, None, "elderly", "disabled", "pregnant", "veteran_unknown_to_policy"]


def fill(store, rng):
    """A random queue of 1–40 tickets with tied issue times and mixed classes; returns the domain view."""
    with store.write() as s:
        s.execute(delete(TicketEventRow))
        s.execute(delete(TicketRow))
        tickets = []
        for i in range(rng.randint(1, 40)):
            issued = NOW + timedelta(minutes=rng.randint(0, 15))  # many ties on purpose
            priority = rng.choice(CLASSES)
            number = f"A{i + 1:03d}"
            s.add(TicketRow(id=f"t{i}", number=number, service_code="HTCT", priority=priority,
                            issued_on=NOW.date(), issued_at=issued, origin="kiosk", state="waiting"))  # fmt: skip
            tickets.append(Ticket(number, "HTCT", priority, issued, TicketState.WAITING))
    return tickets


@pytest.mark.parametrize(
    "policy",
    [
        PriorityPolicy(OrderingRule.STRICT),
        PriorityPolicy(OrderingRule.INTERLEAVE, every=1),
        PriorityPolicy(OrderingRule.INTERLEAVE, every=3),
    ],
    ids=["strict", "interleave-1", "interleave-3"],
)
def test_call_next_follows_the_rules_over_the_whole_queue(store, policy):
    rng = random.Random(20261128)
    with store.write() as s:
        device.set_setting(s, "priority_rule", policy.rule.value)
        device.set_setting(s, "priority_every", policy.every)
    for _ in range(12):
        tickets = fill(store, rng)
        with store.read() as s:
            streak = queue.counter_context(s).regular_streak
        expected = [t.number for t in call_order(tickets, policy, streak)]
        called = []
        for minute in range(len(tickets)):
            with store.write() as s:
                called.append(queue.call_next(s, now=NOW + timedelta(hours=1, minutes=minute), user_id="c").number)
        assert called == expected


def test_ranked_classes_from_the_centre_settings_are_ordered_by_rank_in_sql(store):
    """With ranks that differ, the store's ordering must match the domain's rank ordering."""
    classes = [
        {"code": "veteran", "name_vi": "Cựu chiến binh", "name_en": "Veteran", "rank": 0},
        {"code": "elderly", "name_vi": "Người cao tuổi", "name_en": "Elderly", "rank": 1},
    ]
    with store.write() as s:
        device.set_setting(s, "priority_classes", classes)
    with store.read() as s:
        ranked = device.priority_policy(s)
    assert [c.rank for c in ranked.classes] == [0, 1]
    rng = random.Random(7)
    for _ in range(8):
        with store.write() as s:
            s.execute(delete(TicketEventRow))
            s.execute(delete(TicketRow))
            tickets = []
            for i in range(rng.randint(2, 20)):
                priority = rng.choice([None, "veteran", "elderly", "other"])
                issued = NOW + timedelta(minutes=rng.randint(0, 10))
                s.add(TicketRow(id=f"t{i}", number=f"A{i + 1:03d}", service_code="HTCT", priority=priority,
                                issued_on=NOW.date(), issued_at=issued, origin="kiosk", state="waiting"))  # fmt: skip
                tickets.append(Ticket(f"A{i + 1:03d}", "HTCT", priority, issued, TicketState.WAITING))
        expected = [t.number for t in call_order(tickets, ranked, 0)]
        called = []
        for minute in range(len(tickets)):
            with store.write() as s:
                called.append(queue.call_next(s, now=NOW + timedelta(hours=1, minutes=minute), user_id="c").number)
        assert called == expected
